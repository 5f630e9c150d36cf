package pullevent

import (
	"strings"
	"testing"
	"time"
)

// TestWaitZeroAnswersAtOnce checks that Wait means the same as serve's
// --wait: 0 answers an empty pull at once, and a negative Wait is refused.
func TestWaitZeroAnswersAtOnce(t *testing.T) {
	if w := NewQueue(Config{}).Wait(); w != 0 {
		t.Errorf("Config{} waits %v; want 0 (answer at once)", w)
	}
	if w := NewQueue(Config{Wait: DefaultWait}).Wait(); w != DefaultWait {
		t.Errorf("Config{Wait: DefaultWait} waits %v", w)
	}
	if _, err := New(Config{Wait: -time.Second}); err == nil || !strings.Contains(err.Error(), "wait -1s is negative") {
		t.Errorf("New with a negative Wait = %v; want an error", err)
	}
	s, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if w := s.Config().Wait; w != 0 {
		t.Errorf("Server.Config().Wait = %v; want 0", w)
	}
}
