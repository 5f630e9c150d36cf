package pullevent

import (
	"github.com/vodsim/vodsim/generator"

	"fmt"
	"math"
	"time"
)

// Default credentials, printed by vodsim serve at start. They are fake
// values in the shape of real ones.
const (
	DefaultSecretID  = "AKIDvodsimEXAMPLEsecretid0000000000"
	DefaultSecretKey = "vodsimEXAMPLEsecretkey0000000000"
)

// Body limits of the real API: 10 MB for a TC3-HMAC-SHA256 POST, 1 MB for
// the HmacSHA1 and HmacSHA256 signature methods (legacy API, and API 3.0
// form bodies).
const (
	DefaultMaxBodyBytes       = 10 << 20
	DefaultLegacyMaxBodyBytes = 1 << 20
)

// DefaultMaxConns is how many connections Serve holds open at once when
// Config.MaxConns is 0.
const DefaultMaxConns = 512

// Config configures a Queue and a Server. The zero value is the real
// service's behaviour with the default credentials, except that an empty
// pull answers at once (Wait 0; the real service holds it DefaultWait).
type Config struct {
	// ConfirmWindow is how long a pulled event may go unconfirmed before it
	// can be pulled again under a new handle; 0 means DefaultConfirmWindow.
	ConfirmWindow time.Duration
	// Wait is how long an empty pull is held open (long polling); 0 means
	// an empty pull answers at once, as vodsim serve --wait 0. The real
	// service holds it DefaultWait, vodsim serve's default. New refuses a
	// negative Wait; NewQueue reads it as 0.
	Wait time.Duration
	// MaxEvents is the most events one pull returns; 0 means
	// DefaultMaxEvents. ConfirmEvents takes at most 16 handles a call
	// whatever this is, as the real API.
	MaxEvents int
	// Retention is how long an event is kept; 0 means DefaultRetention.
	Retention time.Duration
	// MaxQueue is the most events the queue holds, waiting or in flight;
	// 0 means DefaultMaxQueue.
	MaxQueue int
	// Clock tells the time of windows, retention and signature
	// timestamps; nil means the system clock.
	Clock Clock
	// SecretID and SecretKey are the one accepted key pair; "" means
	// DefaultSecretID / DefaultSecretKey.
	SecretID, SecretKey string
	// NoAuth accepts requests without checking signatures or timestamps.
	NoAuth bool
	// RejectReplays refuses an API 3.0 request that was accepted before
	// (the same TC3 Authorization, or the same SecretId, Timestamp and
	// Nonce for HmacSHA1/HmacSHA256), answering AuthFailure.SignatureFailure.
	// This is vodsim's own: the real API documents no such check. The
	// legacy API refuses a repeated Nonce and Timestamp whatever this is
	// (code 4500), as its documentation says.
	RejectReplays bool
	// AdminToken, when not "", is required of every admin API request as
	// "Authorization: Bearer TOKEN". "" leaves the admin API open when
	// the server listens on a loopback address only, and turns it off
	// (401) when Serve's listener is on any other address.
	AdminToken string
	// MaxBodyBytes limits an API 3.0 request body; 0 means
	// DefaultMaxBodyBytes. The legacy API's limit is the smaller of this
	// and DefaultLegacyMaxBodyBytes.
	MaxBodyBytes int64
	// MaxConns caps the connections Serve holds open at once; 0 means
	// DefaultMaxConns. At the cap the longest-idle connection is
	// closed to make room; when all are busy a new one waits.
	MaxConns int
	// RequestLimit, when above 0, is how many API 3.0 requests a second
	// each action (PullEvents, ConfirmEvents, DescribeEventsState) takes,
	// as the real API's per-account limit (100 a second by default); a
	// request over it is
	// answered RequestLimitExceeded. Requests are counted in a token
	// bucket that holds a second's worth. 0 means no limit.
	RequestLimit float64
	// Legacy is how the legacy API encodes eventContent: its WebVTT and
	// NumericVersion options apply (a scenario's webVttUrl and version
	// quirks); its Format is ignored, the legacy API always speaks 4.0.
	Legacy generator.Encoding
}

// withDefaults returns c with every zero field set to its default.
func (c Config) withDefaults() Config {
	if c.ConfirmWindow == 0 {
		c.ConfirmWindow = DefaultConfirmWindow
	}
	if c.Wait < 0 {
		c.Wait = 0
	}
	if c.MaxEvents == 0 {
		c.MaxEvents = DefaultMaxEvents
	}
	if c.Retention == 0 {
		c.Retention = DefaultRetention
	}
	if c.MaxQueue == 0 {
		c.MaxQueue = DefaultMaxQueue
	}
	if c.Clock == nil {
		c.Clock = systemClock{}
	}
	if c.SecretID == "" {
		c.SecretID = DefaultSecretID
	}
	if c.SecretKey == "" {
		c.SecretKey = DefaultSecretKey
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	return c
}

// Validate reports what is wrong with c, or nil.
func (c Config) Validate() error {
	switch {
	case c.ConfirmWindow < 0:
		return fmt.Errorf("confirm window %v is negative", c.ConfirmWindow)
	case c.Wait < 0:
		return fmt.Errorf("wait %v is negative: 0 answers an empty pull at once", c.Wait)
	case c.MaxEvents < 0:
		return fmt.Errorf("max events %d is negative", c.MaxEvents)
	case c.MaxQueue < 0:
		return fmt.Errorf("max queue %d is negative", c.MaxQueue)
	case c.Retention < 0:
		return fmt.Errorf("retention %v is negative", c.Retention)
	case c.MaxConns < 0:
		return fmt.Errorf("max conns %d is negative", c.MaxConns)
	case c.MaxBodyBytes < 0:
		return fmt.Errorf("max body bytes %d is negative", c.MaxBodyBytes)
	case !(c.RequestLimit >= 0) || math.IsInf(c.RequestLimit, 0):
		return fmt.Errorf("request limit %v: must be a number of requests a second, 0 or more", c.RequestLimit)
	}
	return nil
}
