#!/usr/bin/env bash
# compare-receiver.sh runs the receiver part of compare.sh alone: wrk -t1
# -c64 from CPU 0 against the bare net/http handler (scripts/compare/bare.go)
# and against vodsim receive --sign-key key on CPU 1, with a signed 3.0 body
# (every check on: the duplicate window, malformed, the signature; its line
# per request to /dev/null); requests/s of each and their ratio, in ROUNDS
# rounds, each the bare handler then receive back to back; and the CPU
# each server spent per request (user + system, from /proc), which other
# work on the machine touches less than the rates. Not part of make test.
#
#   scripts/compare-receiver.sh [SECONDS] [ROUNDS]   (default 5 s, 3 rounds)
#
# VODSIM may name a vodsim binary to measure in place of one built from
# this tree; BARE_PORT and RECV_PORT, the loopback ports of the two
# servers (9101 and 9102 unless told).
set -euo pipefail
secs=${1:-5}
rounds=${2:-3}
bare_port=${BARE_PORT:-9101}
recv_port=${RECV_PORT:-9102}
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "compare-receiver.sh: wrk is needed (apt-get install wrk)" >&2; exit 2; }
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT

vodsim=${VODSIM:-}
if [ -z "$vodsim" ]; then
	go build -o "$tmp/vodsim" ./cmd/vodsim
	vodsim=$tmp/vodsim
fi
go build -o "$tmp/bare" scripts/compare/bare.go
# A 3.0 event signed with key "key" until 2100, as send --format v3
# --sign-key key signs it (Sign = md5(key + T)).
v3=$("$vodsim" gen --count 1 --seed 1 --format v3 | tr -d '\n')
t=4102444800
printf '%s,"T":%s,"Sign":"%s"}' "${v3%\}}" "$t" "$(printf 'key%s' "$t" | md5sum | cut -c1-32)" >"$tmp/signed.json"
cat >"$tmp/signed.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$tmp/signed.json"); wrk.body = f:read("*a"); f:close()
LUA

serve() { # serve PORT CMD...: start a receiver on CPU 1 and wait for its port
	local port=$1; shift
	taskset -c 1 "$@" >/dev/null 2>&1 &
	pids+=($!)
	last=$!
	for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return; sleep 0.05; done
	echo "compare-receiver.sh: receiver on $port did not start" >&2; exit 1
}
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; } # CPU time of PID in clock ticks
hz=$(getconf CLK_TCK)
run() { # run URL PID: wrk against URL from CPU 0; prints requests/s and CPU µs per request of PID
	local t0 t1
	t0=$(ticks "$2")
	taskset -c 0 wrk -t1 -c64 -d"${secs}s" -s "$tmp/signed.lua" "$1" >"$tmp/wrk.out"
	t1=$(ticks "$2")
	awk -v t="$((t1 - t0))" -v hz="$hz" '/ requests in / { n = $1 } /^Requests\/sec/ { r = $2 }
		END { printf "%s %.1f\n", r, (n > 0 ? t * 1e6 / hz / n : 0) }' "$tmp/wrk.out"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

serve "$bare_port" "$tmp/bare" "127.0.0.1:$bare_port"
bare=$last
serve "$recv_port" "$vodsim" receive --listen "127.0.0.1:$recv_port" --sign-key key
recv=$last
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); ${secs}s per run, 64 connections"
echo "receiver (wrk -t1 -c64 from CPU 0)      requests/s: bare handler, vodsim receive, receive/bare;  CPU µs/request: bare, receive, bare/receive"
for round in $(seq "$rounds"); do
	read -r b_rate b_cpu < <(run "http://127.0.0.1:$bare_port/" "$bare")
	read -r r_rate r_cpu < <(run "http://127.0.0.1:$recv_port/" "$recv")
	printf 'round %d %32.0f %9.0f   %s   %17s %7s   %s\n' "$round" "$b_rate" "$r_rate" "$(ratio "$r_rate" "$b_rate")" \
		"$b_cpu" "$r_cpu" "$(ratio "$b_cpu" "$r_cpu")"
done
