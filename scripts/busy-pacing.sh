#!/usr/bin/env bash
# busy-pacing.sh measures how much of vodsim send's latency is the
# receiver's at a steady rate, on this machine as it is and then with
# three busy loops (sh -c 'while :; do :; done') competing for its
# cores: vodsim send --rate RATE for SECONDS against vodsim receive on
# loopback, each run's latency p50 (from the send time), service-time
# p50 (each attempt's start to its answer), their ratio, and lateness
# p50 / p99. Not part of make test.
#
#   scripts/busy-pacing.sh [RATE] [SECONDS]      (default 1000/s for 5 s)
set -euo pipefail
rate=${1:-1000}
secs=${2:-5}
cd "$(dirname "$0")/.."
command -v jq >/dev/null || { echo "busy-pacing.sh: jq is needed" >&2; exit 2; }
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT

go build -o "$tmp/vodsim" ./cmd/vodsim
port=19731
"$tmp/vodsim" receive --listen "127.0.0.1:$port" >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done

run() { # run LABEL: one send, its figures on one line
	"$tmp/vodsim" send --target "http://127.0.0.1:$port/callback" --rate "$rate" --duration "${secs}s" \
		--report-json "$tmp/r.json" >/dev/null
	jq -r --arg l "$1" '"\($l): latency p50 \(.latency.p50Ns/1000) µs, service p50 \(.service.p50Ns/1000) µs, ratio \((.latency.p50Ns/.service.p50Ns*100|round)/100), lateness p50 \(.lateness.p50Ns/1000) µs p90 \(.lateness.p90Ns/1000) µs p99 \(.lateness.p99Ns/1000) µs, acknowledged \(.acknowledged) of \(.events)"' "$tmp/r.json"
}
echo "vodsim send --rate $rate --duration ${secs}s, load average $(cut -d' ' -f1 /proc/loadavg)"
run "as is"
busy=()
for _ in 1 2 3; do
	sh -c 'while :; do :; done' &
	busy+=($!)
	pids+=($!)
done
run "3 busy loops"
for p in "${busy[@]}"; do kill "$p"; done
