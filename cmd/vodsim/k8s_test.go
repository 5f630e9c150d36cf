package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vodsim/vodsim/sender/receiver"
	"go.yaml.in/yaml/v3"
)

// k8sJob is what the test reads of deploy/k8s/send-job.yaml.
type k8sJob struct {
	Kind     string `yaml:"kind"`
	Metadata struct {
		Name        string            `yaml:"name"`
		Annotations map[string]string `yaml:"annotations"`
	} `yaml:"metadata"`
	Spec struct {
		CompletionMode string `yaml:"completionMode"`
		Completions    int    `yaml:"completions"`
		Parallelism    int    `yaml:"parallelism"`
		BackoffLimit   *int   `yaml:"backoffLimit"`
		Template       struct {
			Spec struct {
				Containers []struct {
					Image string `yaml:"image"`
					Env   []struct {
						Name  string `yaml:"name"`
						Value string `yaml:"value"`
					} `yaml:"env"`
					Command []string `yaml:"command"`
					Args    []string `yaml:"args"`
				} `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

// kubeletExpand replaces $(VAR) with env's value where VAR is defined, as
// the kubelet does in a container's args ($$ escapes a $).
func kubeletExpand(s string, env map[string]string) string {
	return regexp.MustCompile(`\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)`).ReplaceAllStringFunc(s, func(m string) string {
		if m == "$$" {
			return "$"
		}
		if v, ok := env[m[2:len(m)-1]]; ok {
			return v
		}
		return m
	})
}

// TestK8sJobRunsAsWritten runs the Indexed Job of deploy/k8s/send-job.yaml
// as local processes, one per completion index, with its own args (the
// target, count and rate taken from its env, pointed at a local receiver
// and made small), then its merge step on their output as kubectl logs
// would gather it: the example cannot rot.
func TestK8sJobRunsAsWritten(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join("..", "..", "deploy", "k8s", "send-job.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var job k8sJob
	if err := yaml.Unmarshal(raw, &job); err != nil {
		t.Fatalf("send-job.yaml: %v", err)
	}
	spec := job.Spec
	if job.Kind != "Job" || spec.CompletionMode != "Indexed" || spec.Completions < 2 || spec.Parallelism != spec.Completions {
		t.Fatalf("want an Indexed Job with parallelism = completions >= 2; got kind %q, mode %q, %d completions, parallelism %d",
			job.Kind, spec.CompletionMode, spec.Completions, spec.Parallelism)
	}
	if spec.BackoffLimit == nil || *spec.BackoffLimit != 0 {
		t.Error("backoffLimit must be 0: a pod run again would send its shard twice")
	}
	cs := spec.Template.Spec.Containers
	if len(cs) != 1 || !strings.HasPrefix(cs[0].Image, "vodsim:") || len(cs[0].Command) != 0 {
		t.Fatalf("want one container of the image make image builds (vodsim:<version>), with its entrypoint; got %+v", cs)
	}
	c := cs[0]
	n := spec.Completions
	shardArg := fmt.Sprintf("--shard=$(JOB_COMPLETION_INDEX)/%d", n)
	if !strings.Contains(strings.Join(c.Args, " "), shardArg) {
		t.Fatalf("args %q lack %s (matching completions: %d)", c.Args, shardArg, n)
	}

	rcv := &receiver.Receiver{}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	const count = 400
	env := map[string]string{}
	for _, e := range c.Env {
		env[e.Name] = e.Value
	}
	for name := range map[string]bool{"TARGET": true, "COUNT": true, "RATE": true} {
		if _, ok := env[name]; !ok {
			t.Fatalf("the container's env lacks %s", name)
		}
	}
	env["TARGET"], env["COUNT"], env["RATE"] = srv.URL+"/vod/callback", fmt.Sprint(count), "400"

	logs := make([][]byte, n)
	var wg sync.WaitGroup
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for k := range n {
		podEnv := map[string]string{"JOB_COMPLETION_INDEX": fmt.Sprint(k)}
		for name, v := range env {
			podEnv[name] = v
		}
		args := make([]string, len(c.Args))
		for i, a := range c.Args {
			args[i] = kubeletExpand(a, podEnv)
		}
		cmd := exec.CommandContext(ctx, vodsimBin, args...)
		cmd.Env = append(os.Environ(), "JOB_COMPLETION_INDEX="+fmt.Sprint(k))
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := cmd.Run(); err != nil {
				t.Errorf("pod %d: vodsim %q: %v\n%s", k, args, err, errb.Bytes())
			}
			logs[k] = append(out.Bytes(), errb.Bytes()...) // a pod's log holds both
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}

	merge := job.Metadata.Annotations["vodsim/merge"]
	gather, step, ok := strings.Cut(merge, " | ")
	if !ok || !strings.HasPrefix(gather, "kubectl logs --selector job-name="+job.Metadata.Name+" --tail -1") {
		t.Fatalf("merge annotation %q: want 'kubectl logs --selector job-name=%s --tail -1 ... | vodsim report ...'", merge, job.Metadata.Name)
	}
	f := strings.Fields(step)
	if len(f) < 2 || f[0] != "vodsim" || f[1] != "report" {
		t.Fatalf("merge step %q is not vodsim report", step)
	}
	r := runBinIn(t, bytes.Join(logs, nil), f[1:]...)
	if r.code != 0 {
		t.Fatalf("merge step %q: exit %d\n%s%s", step, r.code, r.stdout, r.stderr)
	}
	want := fmt.Sprintf("shard 0-%d/%d: %d events", n-1, n, count)
	if !strings.Contains(string(r.stdout), want) || !strings.Contains(string(r.stdout), fmt.Sprintf("%d acknowledged", count)) {
		t.Errorf("merged report lacks %q and %d acknowledged:\n%s", want, count, r.stdout)
	}
	if st := rcv.Stats(); st.Distinct != count || st.Duplicates != 0 {
		t.Errorf("the receiver saw %d distinct events, %d duplicates; want %d, 0", st.Distinct, st.Duplicates, count)
	}
}
