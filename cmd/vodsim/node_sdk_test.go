package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vodsim/vodsim/sender/pullevent"
)

// nodeSDKDir holds the pinned Node SDKs (package.json, package-lock.json)
// and the script that drives them.
var nodeSDKDir = filepath.Join("testdata", "node-sdk")

// nodeSDKVersions reads the versions the lockfile pins, by package name.
func nodeSDKVersions(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(nodeSDKDir, "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	var lock struct {
		Packages map[string]struct{ Version string }
	}
	if err := json.Unmarshal(b, &lock); err != nil {
		t.Fatalf("package-lock.json: %v", err)
	}
	out := map[string]string{}
	for _, name := range []string{"tencentcloud-sdk-nodejs-vod", "qcloudapi-sdk"} {
		v := lock.Packages["node_modules/"+name].Version
		if v == "" {
			t.Fatalf("package-lock.json does not pin %s", name)
		}
		out[name] = v
	}
	return out
}

// TestNodeSDK runs Tencent's official Node SDKs, unchanged, against the
// built vodsim serve: tencentcloud-sdk-nodejs-vod (API 3.0, every sign
// method, POST and GET, DescribeEventsState, a wrong key, redelivery) and
// the legacy qcloudapi-sdk (PullEvent and ConfirmEvent, both ways of naming
// handles). Without node it skips, unless CI is set.
func TestNodeSDK(t *testing.T) {
	t.Parallel()
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skip("node is not installed: the Node SDK conformance suite did not run (it must in CI; .ci/run installs node)")
		}
		t.Fatal("node is not installed, and CI is set: .ci/run should have installed it")
	}
	if _, err := os.Stat(filepath.Join(nodeSDKDir, "node_modules")); err != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		ci := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund")
		ci.Dir = nodeSDKDir
		if out, err := ci.CombinedOutput(); err != nil {
			t.Fatalf("npm ci in %s: %v\n%s", nodeSDKDir, err, out)
		}
	}
	versions := nodeSDKVersions(t)
	t.Run("sdk-model.json from tencentcloud-sdk-nodejs-vod@"+versions["tencentcloud-sdk-nodejs-vod"], func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "sdk-model.json")
		cmd := exec.Command(node, filepath.Join("..", "..", "internal", "sdkmodel", "extract.js"), out)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("extract.js: %v\n%s", err, b)
		}
		got, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join("..", "..", "generator", "testdata", "sdk-model.json"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatal("generator/testdata/sdk-model.json differs from what internal/sdkmodel/extract.js reads from the pinned SDK: rerun node internal/sdkmodel/extract.js")
		}
	})
	for _, suite := range []struct{ sdk, arg string }{
		{"tencentcloud-sdk-nodejs-vod", "api3"},
		{"qcloudapi-sdk", "legacy"},
	} {
		t.Run(suite.sdk+"@"+versions[suite.sdk], func(t *testing.T) {
			t.Logf("running %s %s (node %s)", suite.sdk, versions[suite.sdk], nodeVersion(node))
			// Enough events for every pull of the suite; a long window
			// here, a short one where redelivery is checked.
			long := startServe(t, "--fill", "400", "--wait", "1s")
			redeliver := startServe(t, "--fill", "3", "--confirm-window", "300ms", "--wait", "5s")
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, node, "conform.js", suite.arg)
			cmd.Dir = nodeSDKDir
			cmd.Env = append(os.Environ(),
				"VODSIM_ENDPOINT="+long.addr,
				"VODSIM_REDELIVER_ENDPOINT="+redeliver.addr,
				"VODSIM_SECRET_ID="+pullevent.DefaultSecretID,
				"VODSIM_SECRET_KEY="+pullevent.DefaultSecretKey,
			)
			out, err := cmd.CombinedOutput()
			t.Logf("%s", out)
			if err != nil {
				t.Fatalf("%s against vodsim serve: %v", suite.sdk, err)
			}
			if !strings.Contains(string(out), " 0 failed") {
				t.Fatalf("no summary line in the output")
			}
		})
	}
}

func nodeVersion(node string) string {
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}
