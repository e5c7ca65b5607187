# Ringfence. `make install` to use it, `make test` to check it. See README.md.
SHELL := /bin/bash
GO    ?= go
NPM   ?= npm
BIN   := bin/ringfence
VERSION ?= 0.1.0
LDFLAGS := -s -w -X github.com/ringfence/ringfence/internal/version.Version=$(VERSION)
GOFILES := $(shell find host internal installer -name '*.go' 2>/dev/null)
# What internal/specgen writes from spec/ (checked in).
GENERATED := internal/spec/*_gen.go extension/src/shared/spec.gen.ts

.PHONY: all build host extension generate deps deps-build test test-generate test-static test-go test-fuzz test-ext test-e2e test-demo test-dist bench install demo deps-demo dist clean

all: build

build: host extension

host: $(BIN)
$(BIN): go.mod go.sum $(GOFILES)
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./host/cmd/ringfence

# Building needs only the extension's "dependencies" (esbuild); the test and
# lint tools are devDependencies, installed by the full .stamp (make test).
extension/node_modules/.build-stamp: extension/package.json extension/package-lock.json
	if [ extension/node_modules/.stamp -nt extension/package-lock.json ] && [ extension/node_modules/.stamp -nt extension/package.json ]; then \
	  touch $@; else cd extension && $(NPM) ci --omit=dev --no-audit --no-fund --loglevel=error && touch node_modules/.build-stamp; fi

extension/node_modules/.stamp: extension/package.json extension/package-lock.json
	cd extension && $(NPM) ci --no-audit --no-fund --loglevel=error
	touch $@ extension/node_modules/.build-stamp

e2e/node_modules/.stamp: e2e/package.json e2e/package-lock.json
	cd e2e && $(NPM) ci --no-audit --no-fund --loglevel=error
	touch $@

# Regenerates the Go (internal/spec) and TypeScript (extension/src/shared/spec.gen.ts) that spec/
# owns. Run after editing anything in spec/, and commit the result.
generate:
	$(GO) run ./internal/specgen/cmd/specgen

# Fails when the checked-in generated files are not what spec/ gives (someone edited spec/ and
# forgot `make generate`, or edited a generated file by hand).
test-generate:
	@out=$$(mktemp -d) && trap 'rm -rf "$$out"' EXIT && \
	$(GO) run ./internal/specgen/cmd/specgen -out "$$out" >/dev/null && \
	for f in $$(cd "$$out" && find . -type f | sed 's|^\./||' | sort); do \
	  diff -u "$$f" "$$out/$$f" || { echo "make test-generate: $$f is stale; run make generate" >&2; exit 1; }; \
	done && \
	stale=$$(ls $(GENERATED) | while read -r f; do [ -e "$$out/$$f" ] || echo "$$f"; done) && \
	if [ -n "$$stale" ]; then echo "make test-generate: no longer generated, delete: $$stale" >&2; exit 1; fi && \
	echo "make test-generate: generated files are up to date"

# Writes dist/chrome and dist/firefox from the one source in extension/.
extension: extension/node_modules/.build-stamp
	cd extension && $(NPM) run --silent build

# Installs the browsers, keyring and D-Bus the tests need (root with apt), or
# stops with the exact command to run. Never skips.
deps:
	@scripts/ensure-deps.sh test

deps-build:
	@scripts/ensure-deps.sh --build

test: deps build test-generate test-static test-go test-fuzz test-ext test-e2e test-demo test-dist
	@echo "make test: all suites passed"

test-static:
	@scripts/test-static.sh

# internal/specgen's test type-checks generated TypeScript with the extension's TypeScript (a
# devDependency), so the full install comes first.
test-go: $(BIN) extension/node_modules/.stamp
	@scripts/test-go.sh

# Every fuzz target for FUZZTIME (10s) each, minimisation bounded.
test-fuzz:
	@scripts/test-fuzz.sh

test-ext: extension/node_modules/.stamp extension
	cd extension && $(NPM) run --silent check && $(NPM) run --silent test

test-e2e: build e2e/node_modules/.stamp
	cd e2e && $(NPM) run --silent test

test-demo: build e2e/node_modules/.stamp
	@scripts/demo.sh --check

# Release files in dist/release (docs/install.md, "Packages").
dist: extension/node_modules/.stamp extension
	@VERSION=$(VERSION) scripts/dist.sh

# make dist twice (byte-identical), sha256sum -c, the .deb's contents and
# control fields, web-ext lint on the .xpi, the store zip in real Chromium,
# and (as root) a real dpkg -i / Chromium hello / dpkg -r.
test-dist: build e2e/node_modules/.stamp extension/node_modules/.stamp
	@VERSION=$(VERSION) scripts/test-dist.sh

bench: build e2e/node_modules/.stamp
	@scripts/bench.sh

install: deps-build build
	@scripts/install.sh

deps-demo:
	@scripts/ensure-deps.sh --demo

demo: deps-demo build e2e/node_modules/.stamp
	@scripts/demo.sh

clean:
	rm -rf bin dist out extension/node_modules e2e/node_modules
