# vodsim: build, run, test and benchmark.
GO      ?= go
BIN     := bin/vodsim
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: build run lint test bench fmt clean image

# Without cgo: nothing in vodsim needs it (the race detector of make test
# does, not the binary), and a static binary maps no libc: some 1.5 MB
# less resident memory in every run.
build:
	CGO_ENABLED=0 $(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/vodsim

# The main job on an embedded default: no target, no account needed.
run: build
	./$(BIN) send --scenario default --duration 3s --rate 200

# go vet and staticcheck (pinned in go.mod's tool directive): no findings.
lint:
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

# Every package's tests under the race detector (it needs a C compiler).
# -parallel 4: the end-to-end tests mostly wait on the binary they run.
# atexit_sleep_ms=0: a race binary otherwise sleeps 1 s as it exits, once
# per package (a GORACE of your own comes after, so it wins).
test:
	GORACE="atexit_sleep_ms=0 $(GORACE)" $(GO) test -race -count=1 -parallel 4 -timeout 10m ./...

# A static binary in an image FROM scratch, tagged vodsim:<version>;
# scripts/image-test.sh tests it where a Docker daemon runs.
IMAGE ?= vodsim:$(VERSION)
image:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS) -s -w" -o bin/image/vodsim ./cmd/vodsim
	docker build -t $(IMAGE) -f Dockerfile bin/image

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin
	$(GO) clean -testcache
