package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/vodsim/vodsim/sender/receiver"
)

// bodyRecorder is a receiver that keeps every body and answers status.
type bodyRecorder struct {
	mu     sync.Mutex
	bodies [][]byte
	status int
}

func (b *bodyRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	b.mu.Lock()
	b.bodies = append(b.bodies, body)
	st := b.status
	b.mu.Unlock()
	if st == 0 {
		st = 200
	}
	w.WriteHeader(st)
	w.Write([]byte("{}"))
}

func (b *bodyRecorder) got() [][]byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([][]byte(nil), b.bodies...)
}

func startRecorder(t *testing.T, status int) (*bodyRecorder, string) {
	rec := &bodyRecorder{status: status}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	return rec, srv.URL + "/cb"
}

var triggerLineRE = regexp.MustCompile(`^POST http://127\.0\.0\.1:\d+/cb -> (\d+ [A-Za-z ]+) in [0-9.]+(µs|ms|s) \(CreateImageSpriteComplete (success|failure -?\d+), (vodTaskId|TaskId) (CreateImageSprite-[0-9a-f]{32})\)\n$`)

func TestTriggerSendsOneEvent(t *testing.T) {
	t.Parallel()
	rec, url := startRecorder(t, 0)
	r := runBin(t, "trigger", "--target", url, "--seed", "7")
	m := triggerLineRE.FindStringSubmatch(string(r.stdout))
	if r.code != 0 || m == nil || m[1] != "200 OK" || m[3] != "success" {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	got := rec.got()
	if len(got) != 1 {
		t.Fatalf("receiver got %d requests, want 1", len(got))
	}
	p := receiver.CheckPayload(got[0], "", time.Now())
	if p.Err != nil || p.Event.TaskID != m[5] {
		t.Errorf("payload %s: %v, task id %q; the line says %q", got[0], p.Err, p.Event.TaskID, m[5])
	}
	// The same seed, the same event.
	runBin(t, "trigger", "--target", url, "--seed", "7")
	if got := rec.got(); len(got) != 2 || !bytes.Equal(got[0], got[1]) {
		t.Errorf("two triggers with --seed 7 sent different bodies:\n%s\n%s", got[0], got[1])
	}
}

func TestTriggerCodeAndSet(t *testing.T) {
	t.Parallel()
	rec, url := startRecorder(t, 0)
	r := runBin(t, "trigger", "--target", url, "--code", "-43001",
		"--set", "data.fileId=5285890784363430543", "--set", `data.message="123"`)
	if r.code != 0 || !bytes.Contains(r.stdout, []byte("failure -43001")) {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	var v struct {
		Data map[string]any `json:"data"`
	}
	if err := json.Unmarshal(rec.got()[0], &v); err != nil {
		t.Fatal(err)
	}
	if v.Data["fileId"] != "5285890784363430543" || v.Data["message"] != "123" || v.Data["status"] != -43001.0 {
		t.Errorf("data = %v; want fileId and message strings as set, status -43001", v.Data)
	}
}

func TestTriggerSignedV3(t *testing.T) {
	t.Parallel()
	rec, url := startRecorder(t, 0)
	r := runBin(t, "trigger", "--target", url, "--format", "v3", "--sign-key", "abc123", "--set", "CreateImageSpriteCompleteEvent.FileId=42")
	m := triggerLineRE.FindStringSubmatch(string(r.stdout))
	if r.code != 0 || m == nil || m[4] != "TaskId" {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	body := rec.got()[0]
	if p := receiver.CheckPayload(body, "abc123", time.Now()); p.Err != nil || !p.Signed {
		t.Errorf("payload %s: err %v, signed %v", body, p.Err, p.Signed)
	}
	if !bytes.Contains(body, []byte(`"FileId":"42"`)) {
		t.Errorf("FileId not set as a string: %s", body)
	}
}

func TestTriggerNot2xx(t *testing.T) {
	t.Parallel()
	rec, url := startRecorder(t, 500)
	r := runBin(t, "trigger", "--target", url)
	m := triggerLineRE.FindStringSubmatch(string(r.stdout))
	if r.code != 1 || m == nil || m[1] != "500 Internal Server Error" || len(rec.got()) != 1 {
		t.Errorf("exit %d, stdout %q, stderr %q, %d requests; want 1, a 500 line, one request", r.code, r.stdout, r.stderr, len(rec.got()))
	}
}

func TestTriggerBadInput(t *testing.T) {
	t.Parallel()
	rec, url := startRecorder(t, 0)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{}, "--target is required"},
		{[]string{"--target", "127.0.0.1:9"}, "did you mean"},
		{[]string{"--target", url, "NoSuchEvent"}, `unknown event type "NoSuchEvent"`},
		{[]string{"--target", url, "AigcImageTaskComplete"}, `only in the 3.0 format`},
		{[]string{"--target", url, "--code", "-43001", "PersistenceComplete", "--format", "v3"}, `has no failure`},
		{[]string{"--target", url, "a", "b"}, "one event type at most"},
		{[]string{"--target", url, "--code", "-43001", "ReviewAudioVideoComplete", "--format", "v3"}, `--code: ReviewAudioVideoComplete tells a failure only by its ErrCodeExt`},
		{[]string{"--target", url, "--set", "data.nope=1"}, "no field data.nope"},
		{[]string{"--target", url, "--set", "data.fileId"}, "want PATH=VALUE"},
		{[]string{"--target", url, "--code", "-43001", "--set", "data.definition=20"}, "no field data.definition"}, // a failure has none
		{[]string{"--target", url, "--set", "data.*=1"}, "plain keys"},
		{[]string{"--target", url, "--code", "0"}, "--code 0 is a success"},
		{[]string{"--target", url, "--format", "v5"}, "--format"},
		{[]string{"--target", url, "--sign-key", "abc"}, "--format v3"},
		{[]string{"--target", url, "--format", "v3", "--sign-key", "a-b"}, "--sign-key"},
	} {
		r := runBin(t, append([]string{"trigger"}, c.args...)...)
		if r.code != 2 || !bytes.Contains(r.stderr, []byte(c.want)) || len(r.stdout) != 0 {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", c.args, r.code, r.stderr, c.want)
		}
	}
	if n := len(rec.got()); n != 0 {
		t.Errorf("bad input sent %d requests", n)
	}
}

// Every type of the catalog can be triggered: a 3.0-only type with
// --format v3, a failure with --code where the type can fail.
func TestTriggerCatalogType(t *testing.T) {
	t.Parallel()
	rec, url := startRecorder(t, 0)
	r := runBin(t, "trigger", "ProcedureStateChanged", "--format", "v3", "--code", "70000", "--target", url, "--seed", "3")
	if r.code != 0 || !bytes.Contains(r.stdout, []byte("(ProcedureStateChanged failure 70000, TaskId ")) {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	got := rec.got()
	if len(got) != 1 {
		t.Fatalf("receiver got %d requests, want 1", len(got))
	}
	p := receiver.CheckPayload(got[0], "", time.Now())
	if p.Err != nil || p.Event.TypeName() != "ProcedureStateChanged" {
		t.Errorf("payload %s: err %v, type %q", got[0], p.Err, p.Event.TypeName())
	}
}

// TestTriggerLineNamesTheType: a type named in another case is looked up
// regardless of case, and the line names it as the catalog does.
func TestTriggerLineNamesTheType(t *testing.T) {
	t.Parallel()
	_, url := startRecorder(t, 0)
	r := runBin(t, "trigger", "pullcomplete", "--target", url, "--seed", "3")
	if r.code != 0 || !bytes.Contains(r.stdout, []byte("(PullComplete success, vodTaskId ")) {
		t.Errorf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

// TestTriggerLineSaysWhatWasSent: for a type that carries no task id the
// line names none (no empty label), and a body that --set left malformed
// is said to be, not called a success.
func TestTriggerLineSaysWhatWasSent(t *testing.T) {
	t.Parallel()
	_, url := startRecorder(t, 0)
	r := runBin(t, "trigger", "FileDeleted", "--target", url, "--seed", "3")
	if r.code != 0 || !bytes.Contains(r.stdout, []byte("(FileDeleted success)\n")) {
		t.Errorf("FileDeleted: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	r = runBin(t, "trigger", "--target", url, "--set", "data.status=\"abc\"")
	if r.code != 0 || !bytes.Contains(r.stdout, []byte("(CreateImageSpriteComplete, sent malformed: ")) {
		t.Errorf("--set data.status=\"abc\": exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}
