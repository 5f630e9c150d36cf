#!/usr/bin/env bash
# Tests the image that 'make image' builds, where a Docker daemon runs (it
# is not part of 'make test'). On a machine without one:
#   apt-get install -y docker.io docker-compose
#   dockerd --storage-driver=vfs --iptables=false --bridge=none &
# It checks that the image holds the binary alone, runs 'version', then
# serve, receive and forward in three containers on the host's network
# (serve and receive bind 127.0.0.1 by default, which --network host
# reaches), and, when docker-compose or 'docker compose' is there,
# scripts/compose-test.yml on a network of its own.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! docker info >/dev/null 2>&1; then
	echo "image-test: no Docker daemon answers; start one first (see the top of $0)" >&2
	exit 2
fi
VERSION=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
IMAGE=vodsim:$VERSION
make image VERSION="$VERSION"

tmp=$(mktemp -d)
containers=()
cleanup() {
	for c in "${containers[@]}"; do docker rm -f "$c" >/dev/null 2>&1 || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
	echo "image-test: FAIL: $*" >&2
	exit 1
}

# The image holds /vodsim and nothing else.
docker save "$IMAGE" -o "$tmp/image.tar"
mkdir "$tmp/x"
tar -xf "$tmp/image.tar" -C "$tmp/x"
files=$(find "$tmp/x" -type f \( -name layer.tar -o -path '*/blobs/sha256/*' \) -print0 |
	xargs -0 -n1 sh -c 'tar -tf "$0" 2>/dev/null || true' | sort -u)
[ "$files" = "vodsim" ] || fail "the image holds [$files], want only vodsim"
echo "image-test: ok: $IMAGE holds only vodsim ($(docker image inspect -f '{{.Size}}' "$IMAGE") bytes)"

out=$(docker run --rm "$IMAGE" version)
[[ $out == "vodsim $VERSION "* ]] || fail "version printed [$out]"
echo "image-test: ok: $out"

# addr CONTAINER: the host:port it says it listens on.
addr() {
	for _ in $(seq 100); do
		a=$(docker logs "$1" 2>&1 | sed -n 's|.*listening on http://\([0-9.]*:[0-9]*\).*|\1|p' | head -1)
		if [ -n "$a" ]; then
			echo "$a"
			return
		fi
		sleep 0.2
	done
	docker logs "$1" >&2
	fail "container $1 did not say where it listens"
}

s=$(docker run -d --network host "$IMAGE" serve --listen 127.0.0.1:0 --fill 5)
containers+=("$s")
r=$(docker run -d --network host "$IMAGE" receive --listen 127.0.0.1:0 --count 5 --timeout 120s --strict)
containers+=("$r")
saddr=$(addr "$s")
raddr=$(addr "$r")
docker run --rm --network host "$IMAGE" forward --from "http://$saddr" --to "http://$raddr/callback" --count 5 ||
	fail "forward from serve to receive exited $?"
code=$(docker wait "$r")
[ "$code" = 0 ] || fail "receive --count 5 exited $code: $(docker logs "$r" 2>&1 | tail -3)"
docker stop "$s" >/dev/null
code=$(docker wait "$s")
[ "$code" = 0 ] || fail "serve exited $code on docker stop"
echo "image-test: ok: serve -> forward -> receive --count 5 in three containers, --network host"

compose=()
if docker compose version >/dev/null 2>&1; then
	compose=(docker compose)
elif command -v docker-compose >/dev/null; then
	compose=(docker-compose)
fi
if [ ${#compose[@]} -eq 0 ]; then
	echo "image-test: skipped the Compose file: neither 'docker compose' nor docker-compose is installed"
	exit 0
fi
export VODSIM_IMAGE=$IMAGE
project=vodsim-image-test-$$
run_compose() { "${compose[@]}" -p "$project" -f scripts/compose-test.yml "$@"; }
trap 'run_compose down -t 5 >/dev/null 2>&1 || true; cleanup' EXIT
run_compose up -d vodsim receiver
# depends_on orders the starts only: wait until both listen.
for svc in vodsim receiver; do
	id=$(run_compose ps -q "$svc")
	for i in $(seq 100); do
		docker logs "$id" 2>&1 | grep -q "listening on" && break
		[ "$i" = 100 ] && fail "Compose service $svc did not start listening"
		sleep 0.2
	done
done
run_compose run --rm suite || fail "the Compose suite (forward) failed"
rid=$(run_compose ps -q receiver)
code=$(docker wait "$rid")
[ "$code" = 0 ] || fail "the Compose receiver exited $code"
echo "image-test: ok: scripts/compose-test.yml: the suite reached vodsim:9090 and receiver:9000 by service name"
