package scenarios

import "github.com/vodsim/vodsim/sender"

// SendConfig returns the send config of the scenario: its events (Source,
// Encoding, Seed), how many or how long (Count, Duration), the rate
// (Profile), the faults, the retry policy and the 3.0 signing key. Target
// is left for the caller to set; so are the fields a scenario does not
// say (connections, headers, journal, ...), whose zero values work. A
// scenario that sets no seed runs with seed 0 unless SetSeed is called
// first; one that sets neither events nor duration sends
// sender.DefaultCount events. The error is the Source's (a Scenario from
// Load or Parse has a valid one).
func (s *Scenario) SendConfig() (sender.Config, error) {
	src, err := s.Source()
	if err != nil {
		return sender.Config{}, err
	}
	return sender.Config{
		Source:   src,
		Encoding: s.Encoding,
		Seed:     s.Seed,
		Count:    s.Events,
		Duration: s.Duration,
		Profile:  s.Profile,
		Faults:   s.Faults,
		Retry:    s.Retry,
		SignKey:  s.SignKey,
	}, nil
}
