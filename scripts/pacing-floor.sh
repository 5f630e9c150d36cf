#!/usr/bin/env bash
# pacing-floor.sh sets vodsim send's pacing at 10,000 events/s beside what
# the machine allows: in each round, a thread that only sleeps until
# 10,000 wake times a second (scripts/compare/floor.go) runs alone, then
# beside vodsim send --rate 10000 to a bare net/http receiver
# (scripts/compare/bare.go), and vodsim send's own lateness line is
# printed; last, the thread runs on one processor with a busy loop
# (taskset), as a thread woken where another runs. Not part of make test;
# Linux only.
#
#   scripts/pacing-floor.sh [ROUNDS] [SECONDS]     (default 3 rounds of 2 s)
set -euo pipefail
rounds=${1:-3}
secs=${2:-2}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
go build -o "$tmp/bare" scripts/compare/bare.go
go build -o "$tmp/floor" scripts/compare/floor.go
make -s build
"$tmp/bare" 127.0.0.1:9102 & pids+=($!)
for _ in $(seq 50); do
	curl -s -o /dev/null -X POST http://127.0.0.1:9102/ && break
	sleep 0.1
done
for r in $(seq "$rounds"); do
	echo "round $r"
	echo -n "  alone:        "; "$tmp/floor" 10000 "$secs"
	"$tmp/floor" 10000 "$secs" > "$tmp/beside" &
	fp=$!
	bin/vodsim send --rate 10000 --duration "${secs}s" --target http://127.0.0.1:9102/ > "$tmp/send" 2>&1 || true
	wait "$fp"
	echo -n "  beside send:  "; cat "$tmp/beside"
	echo -n "  vodsim send:  "; grep -E '^  lateness' "$tmp/send" | sed 's/^  lateness *//'
done
taskset -c 0 sh -c 'while :; do :; done' & pids+=($!)
echo -n "beside a busy loop on its processor: "; taskset -c 0 "$tmp/floor" 10000 "$secs"
