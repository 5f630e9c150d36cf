#!/usr/bin/env bash
# compare.sh runs vodsim side by side with wrk (and hey and vegeta where
# installed) on this machine and prints the ratios. Not part of make test.
#
#   scripts/compare.sh [SECONDS]      (default 8 s per run)
#
# Sender: each client POSTs the same vodsim payload over 64 keep-alive
# connections for SECONDS to a bare net/http receiver (scripts/compare/bare.go),
# the client pinned to CPU 0 and the receiver to CPU 1 (taskset); events/s
# and CPU per event (user + system, /usr/bin/time) of vodsim send --rate 0
# against each.
# Receiver: wrk from CPU 0 against the bare receiver and against vodsim
# receive (every check on, its line per request to /dev/null) on CPU 1;
# requests/s of each and their ratio.
set -euo pipefail
secs=${1:-8}
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "compare.sh: wrk is needed (apt-get install wrk)" >&2; exit 2; }
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT

go build -o "$tmp/vodsim" ./cmd/vodsim
go build -o "$tmp/bare" scripts/compare/bare.go
"$tmp/vodsim" gen --count 1 --seed 1 | tr -d '\n' >"$tmp/body.json"
cat >"$tmp/post.lua" <<LUA
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

cpu=$(timed "$tmp/w.out" wrk -t1 -c64 -d"${secs}s" -s "$tmp/post.lua" "$url")
w_rate=$(awk '/^Requests\/sec/ { print $2 }' "$tmp/w.out")
w_cpu=$(perev "$cpu" "$w_rate")
printf '%-38s %9.0f %12s   vodsim/wrk: rate %s, CPU per event %s\n' "wrk -t1 -c64" "$w_rate" "$w_cpu" "$(ratio "$v_rate" "$w_rate")" "$(ratio "$v_cpu" "$w_cpu")"

if command -v hey >/dev/null; then
	cpu=$(timed "$tmp/h.out" hey -z "${secs}s" -c 64 -m POST -T application/json -D "$tmp/body.json" "$url")
	h_rate=$(awk '/Requests\/sec/ { print $2 }' "$tmp/h.out")
	h_cpu=$(perev "$cpu" "$h_rate")
	printf '%-38s %9.0f %12s   vodsim/hey: rate %s, CPU per event %s\n' "hey -c 64" "$h_rate" "$h_cpu" "$(ratio "$v_rate" "$h_rate")" "$(ratio "$v_cpu" "$h_cpu")"
else
	echo "hey: not installed, skipped"
fi
if command -v vegeta >/dev/null; then
	printf 'POST %s\nContent-Type: application/json\n@%s\n' "$url" "$tmp/body.json" >"$tmp/targets"
	cpu=$(timed "$tmp/g.out" sh -c "vegeta attack -targets '$tmp/targets' -rate 0 -max-workers 64 -duration ${secs}s | vegeta report")
	g_rate=$(awk '/^Requests/ { print $NF }' "$tmp/g.out" | cut -d, -f1)
	g_cpu=$(perev "$cpu" "$g_rate")
	printf '%-38s %9.0f %12s   vodsim/vegeta: rate %s, CPU per event %s\n' "vegeta -rate 0 -max-workers 64" "$g_rate" "$g_cpu" "$(ratio "$v_rate" "$g_rate")" "$(ratio "$v_cpu" "$g_cpu")"
else
	echo "vegeta: not installed, skipped"
fi

serve 9102 "$tmp/vodsim" receive --listen 127.0.0.1:9102
echo
echo "receiver (wrk -t1 -c64 from CPU 0)      requests/s"
timed "$tmp/b.out" wrk -t1 -c64 -d"${secs}s" -s "$tmp/post.lua" "$url" >/dev/null
b_rate=$(awk '/^Requests\/sec/ { print $2 }' "$tmp/b.out")
printf '%-38s %9.0f\n' "bare net/http handler" "$b_rate"
timed "$tmp/r.out" wrk -t1 -c64 -d"${secs}s" -s "$tmp/post.lua" http://127.0.0.1:9102/ >/dev/null
r_rate=$(awk '/^Requests\/sec/ { print $2 }' "$tmp/r.out")
printf '%-38s %9.0f   receive/bare: %s\n' "vodsim receive" "$r_rate" "$(ratio "$r_rate" "$b_rate")"
