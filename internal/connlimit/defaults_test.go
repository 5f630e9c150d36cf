package connlimit_test

import (
	"testing"

	"github.com/vodsim/vodsim/internal/connlimit"
	"github.com/vodsim/vodsim/sender/pullevent"
	"github.com/vodsim/vodsim/sender/receiver"
)

// The servers' documented defaults are this package's.
func TestDefaultsAgree(t *testing.T) {
	if receiver.DefaultMaxConns != connlimit.DefaultMax || pullevent.DefaultMaxConns != connlimit.DefaultMax {
		t.Errorf("receiver %d, pullevent %d, connlimit %d", receiver.DefaultMaxConns, pullevent.DefaultMaxConns, connlimit.DefaultMax)
	}
}
