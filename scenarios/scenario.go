package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vodsim/vodsim/generator"
	"github.com/vodsim/vodsim/sender"
	"github.com/vodsim/vodsim/sender/pace"
)

// Scenario is a validated scenario: what to generate and how to deliver it.
// Fields the file leaves out keep their zero value, which the consumer reads
// as its own default (each field says what zero means). A Scenario is a
// plain value: safe for concurrent reads, not for concurrent writes.
type Scenario struct {
	// Name is the scenario's name; the file's base name when it sets none.
	Name string
	// Description is a sentence or two on what the scenario is for.
	Description string
	// Seed is the scenario's seed; meaningful only when HasSeed.
	Seed int64
	// HasSeed reports whether the file set a seed; when false, callers use
	// their own default seed.
	HasSeed bool
	// Events is the number of events; 0 means not set. A replay scenario
	// that sets neither events nor duration gets one pass over its fixtures.
	Events uint64
	// Duration is the run duration; 0 means not set. With Events too, a
	// run ends at whichever comes first.
	Duration time.Duration
	// Profile is the rate, phase by phase; nil means as fast as the
	// receiver allows (a plain "rate: 0", or no rate at all: see HasRate).
	// A plain "rate" is one constant phase.
	Profile pace.Profile
	// HasRate reports whether the file set rate or phases; when false,
	// vodsim send keeps its default rate, as for any key left out (the
	// Profile is nil, and SendConfig sends as fast as possible).
	HasRate bool
	// Generator is the generator config: seed, outcomes, app id, URL host
	// and scheme, file ids. Its Seed equals Seed (0 when HasSeed is false).
	Generator generator.Config
	// Encoding is the wire shape: format, webVttUrl, numeric version.
	Encoding generator.Encoding
	// Faults are the delivery faults; the zero value injects none.
	Faults sender.Faults
	// Retry is the sender's retry policy; the zero value is VOD's own.
	Retry sender.RetryPolicy
	// SignKey is the 3.0 callback signing key ("" = unsigned): Sign is
	// md5(SignKey + T) as lowercase hex.
	SignKey string
	// Replay holds decoded fixture events to play back in order; nil
	// means events are generated from Generator.
	Replay []generator.Event
}

// SetSeed sets the scenario's seed, as a --seed flag or a default does:
// Seed, HasSeed and Generator.Seed together.
func (s *Scenario) SetSeed(seed int64) {
	s.Seed, s.HasSeed, s.Generator.Seed = seed, true, seed
}

// Source returns the events of the scenario: a *generator.Replay when
// Replay is set, a *generator.Generator otherwise.
func (s *Scenario) Source() (generator.Source, error) {
	if len(s.Replay) > 0 {
		return generator.NewReplay(s.Replay), nil
	}
	g, err := generator.New(s.Generator)
	if err != nil {
		return nil, fmt.Errorf("scenario %q: %w", s.Name, err)
	}
	return g, nil
}

// MaxFileSize is the largest scenario or replayed fixture file read.
const MaxFileSize = 1 << 20

// ErrNotFound is wrapped by Load's error when the argument is neither a
// built-in scenario nor a readable file.
var ErrNotFound = errors.New("no such scenario")

// BuiltinPrefix names a built-in scenario whatever files exist:
// "builtin:chaos".
const BuiltinPrefix = "builtin:"

// Load returns the scenario nameOrPath names:
//   - "builtin:NAME" is always the built-in NAME;
//   - a bare NAME (no path separator, no file extension) is the built-in
//     of that name when there is one, else the file NAME; write ./NAME for
//     a file that has a built-in's name;
//   - anything else is a file path, read and validated.
//
// Validation problems come back as a *ValidationError. To read a scenario
// from standard input, use Read.
func Load(nameOrPath string) (*Scenario, error) {
	if name, ok := strings.CutPrefix(nameOrPath, BuiltinPrefix); ok {
		data, err := BuiltinFile(name)
		if err != nil {
			return nil, err
		}
		return parse(builtinPath(name), data, "")
	}
	if looksLikeName(nameOrPath) {
		if data, err := BuiltinFile(nameOrPath); err == nil {
			return parse(builtinPath(nameOrPath), data, "")
		}
	}
	data, err := readFile(nameOrPath)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) && looksLikeName(nameOrPath) {
			return nil, fmt.Errorf("%w %q: not a built-in (have %s) nor a file%s", ErrNotFound, nameOrPath,
				strings.Join(builtinNames(), ", "), hint(nameOrPath, builtinNames()))
		}
		return nil, fmt.Errorf("read scenario: %w", err)
	}
	return Parse(nameOrPath, data)
}

// Read reads a scenario of at most MaxFileSize bytes from r, such as
// standard input, and validates it as Parse does; filename names it in
// messages, and replay files are read relative to the current directory.
func Read(filename string, r io.Reader) (*Scenario, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read scenario from %s: %w", filename, err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("read scenario from %s: larger than %d bytes", filename, MaxFileSize)
	}
	return parse(filename, data, ".")
}

func looksLikeName(s string) bool {
	return s != "" && !strings.ContainsAny(s, `/\`) && filepath.Ext(s) == ""
}

// readFile reads a regular file of at most MaxFileSize bytes.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, MaxFileSize)
	}
	return data, nil
}

// Parse validates data, a scenario in YAML or JSON read from filename, and
// returns the Scenario. Every problem of the file is reported at once in a
// *ValidationError, each with its line and column. Replay entries that are
// not fixture names are read relative to filename's directory.
func Parse(filename string, data []byte) (*Scenario, error) {
	return parse(filename, data, filepath.Dir(filename))
}

// parse validates data; dir is where replay files are looked up, "" to
// allow fixture names only.
func parse(filename string, data []byte, dir string) (*Scenario, error) {
	p := &parser{file: filename, dir: dir, allowFiles: dir != ""}
	s := p.parse(data)
	if len(p.probs) > 0 {
		ve := &ValidationError{File: filename, Problems: p.probs}
		ve.sort()
		return nil, ve
	}
	if s.Name == "" {
		base := filepath.Base(filename)
		s.Name = strings.TrimSuffix(base, filepath.Ext(base))
	}
	return s, nil
}

// bom is a UTF-8 byte order mark, which some editors write.
var bom = []byte("\xef\xbb\xbf")

func trimBOM(b []byte) []byte { return bytes.TrimPrefix(b, bom) }
