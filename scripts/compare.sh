#!/usr/bin/env bash
# compare.sh runs vodsim side by side with wrk, hey and vegeta on this
# machine and prints the ratios. Not part of make test. hey and vegeta are
# taken from PATH, or else installed at pinned versions (hey v0.1.5,
# vegeta v12.13.0) into a temporary GOBIN through the module proxy.
#
#   scripts/compare.sh [SECONDS]      (default 8 s per run)
#
# Sender: each client POSTs the same vodsim payload over 64 keep-alive
# connections for SECONDS to a bare net/http receiver (scripts/compare/bare.go),
# the client pinned to CPU 0 and the receiver to CPU 1 (taskset); events/s
# and CPU per event (user + system, /usr/bin/time) of vodsim send --rate 0
# against each.
# Receiver: wrk from CPU 0 against the bare receiver and against vodsim
# receive --sign-key on CPU 1, with a signed 3.0 body (every check on: the
# duplicate window, malformed, the signature; its line per request to
# /dev/null); requests/s of each and their ratio, in three rounds
# (run by scripts/compare-receiver.sh, which also runs them alone).
# Memory: peak RSS (/usr/bin/time %M) of vegeta attack -rate 10000
# -max-workers 64 | vegeta report (the larger of the two processes) and of
# vodsim send --rate 10000 --connections 64, each on CPU 0 for SECONDS
# against the bare receiver, and their ratio, in three rounds.
set -euo pipefail
secs=${1:-8}
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "compare.sh: wrk is needed (apt-get install wrk)" >&2; exit 2; }
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT

# As make build does: without cgo.
CGO_ENABLED=0 go build -o "$tmp/vodsim" ./cmd/vodsim
go build -o "$tmp/bare" scripts/compare/bare.go
hey=$(command -v hey || true)
vegeta=$(command -v vegeta || true)
if [ -z "$hey" ]; then
	GOBIN="$tmp/bin" go install github.com/rakyll/hey@v0.1.5
	hey=$tmp/bin/hey
fi
if [ -z "$vegeta" ]; then
	GOBIN="$tmp/bin" go install github.com/tsenart/vegeta/v12@v12.13.0
	vegeta=$tmp/bin/vegeta
fi
"$tmp/vodsim" gen --count 1 --seed 1 | tr -d '\n' >"$tmp/body.json"
cat >"$tmp/body.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$tmp/body.json"); wrk.body = f:read("*a"); f:close()
LUA

serve() { # serve PORT CMD...: start a receiver on CPU 1 and wait for its port
	local port=$1; shift
	taskset -c 1 "$@" >/dev/null 2>&1 &
	pids+=($!)
	for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return; sleep 0.05; done
	echo "compare.sh: receiver on $port did not start" >&2; exit 1
}
timed() { # timed OUT CMD...: run CMD on CPU 0, its output in OUT, its CPU seconds printed
	local out=$1; shift
	/usr/bin/time -f '%U %S' -o "$tmp/cpu" taskset -c 0 "$@" >"$out" 2>&1 || true
	# The last line: time writes "Command exited with non-zero status N" first
	# when a run falls short (send's schedule ending with events unsent).
	tail -n 1 "$tmp/cpu" | awk '{print $1 + $2}'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
perev() { awk -v c="$1" -v r="$2" -v s="$secs" 'BEGIN { if (r > 0) printf "%.1f", c * 1e6 / (r * s); else print "n/a" }'; }

serve 9101 "$tmp/bare" 127.0.0.1:9101
url=http://127.0.0.1:9101/
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); ${secs}s per run, 64 connections"
echo
echo "sender (against the bare receiver)     events/s   CPU µs/event"

cpu=$(timed "$tmp/v.out" "$tmp/vodsim" send --target "$url" --rate 0 --duration "${secs}s" --connections 64 --max-inflight 64 --quiet)
v_rate=$(awk '/throughput/ { for (i = 1; i <= NF; i++) if ($i == "throughput") print $(i+1) }' "$tmp/v.out")
v_cpu=$(perev "$cpu" "$v_rate")
printf '%-38s %9.0f %12s\n' "vodsim send --rate 0" "$v_rate" "$v_cpu"

cpu=$(timed "$tmp/w.out" wrk -t1 -c64 -d"${secs}s" -s "$tmp/body.lua" "$url")
w_rate=$(awk '/^Requests\/sec/ { print $2 }' "$tmp/w.out")
w_cpu=$(perev "$cpu" "$w_rate")
printf '%-38s %9.0f %12s   vodsim/wrk: rate %s, CPU per event %s\n' "wrk -t1 -c64" "$w_rate" "$w_cpu" "$(ratio "$v_rate" "$w_rate")" "$(ratio "$v_cpu" "$w_cpu")"

cpu=$(timed "$tmp/h.out" "$hey" -z "${secs}s" -c 64 -m POST -T application/json -D "$tmp/body.json" "$url")
h_rate=$(awk '/Requests\/sec/ { print $2 }' "$tmp/h.out")
h_cpu=$(perev "$cpu" "$h_rate")
printf '%-38s %9.0f %12s   vodsim/hey: rate %s, CPU per event %s\n' "hey -c 64" "$h_rate" "$h_cpu" "$(ratio "$v_rate" "$h_rate")" "$(ratio "$v_cpu" "$h_cpu")"
printf 'POST %s\nContent-Type: application/json\n@%s\n' "$url" "$tmp/body.json" >"$tmp/targets"
cpu=$(timed "$tmp/g.out" sh -c "'$vegeta' attack -targets '$tmp/targets' -rate 0 -max-workers 64 -duration ${secs}s | '$vegeta' report")
g_rate=$(awk '/^Requests/ { print $NF }' "$tmp/g.out" | cut -d, -f1)
g_cpu=$(perev "$cpu" "$g_rate")
printf '%-38s %9.0f %12s   vodsim/vegeta: rate %s, CPU per event %s\n' "vegeta -rate 0 -max-workers 64" "$g_rate" "$g_cpu" "$(ratio "$v_rate" "$g_rate")" "$(ratio "$v_cpu" "$g_cpu")"

echo
# The receiver's rounds: compare-receiver.sh with this vodsim, on ports of
# its own (the bare receiver here keeps 9101 for the memory part).
VODSIM="$tmp/vodsim" BARE_PORT=9103 RECV_PORT=9104 scripts/compare-receiver.sh "$secs" 3 | tail -n +2

# peak PROG CMD...: run CMD on CPU 0 under /usr/bin/time, its peak RSS in
# MB printed; OUT gets its output.
peak() {
	local out=$1; shift
	/usr/bin/time -f '%M' -o "$tmp/rss" taskset -c 0 "$@" >"$out" 2>&1 || true
	tail -n 1 "$tmp/rss" | awk '{ printf "%.1f", $1 / 1024 }'
}
echo
echo "memory at 10,000/s (${secs}s, CPU 0)       peak RSS MB: vegeta, vodsim send, vodsim/vegeta"
# Three rounds, each vegeta then vodsim back to back. A pipeline's peak is
# its larger process's.
for round in 1 2 3; do
	/usr/bin/time -f '%M' -o "$tmp/rss1" taskset -c 0 "$vegeta" attack -targets "$tmp/targets" -rate 10000 -max-workers 64 -duration "${secs}s" |
		/usr/bin/time -f '%M' -o "$tmp/rss2" taskset -c 0 "$vegeta" report >"$tmp/gm.out" 2>&1 || true
	g_rss=$(tail -qn 1 "$tmp/rss1" "$tmp/rss2" | awk '$1 > m { m = $1 } END { printf "%.1f", m / 1024 }')
	v_rss=$(peak "$tmp/vm.out" "$tmp/vodsim" send --target "$url" --rate 10000 --duration "${secs}s" --connections 64 --quiet)
	printf 'round %d %32s %9s   %s\n' "$round" "$g_rss" "$v_rss" "$(ratio "$v_rss" "$g_rss")"
done
