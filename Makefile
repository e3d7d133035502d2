# swiftclaw — `make demo` runs the main job on a temporary repository; `make test` runs
# every check CI runs. Tools are installed from the Go module proxy into a cache outside
# the repository.
GO            ?= go
PYTHON        ?= python3
TOOLS         ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/swiftclaw-tools
STATICCHECK   := $(TOOLS)/staticcheck
STATICCHECK_V := v0.8.2
BIN           := bin/swiftclaw

.PHONY: build demo test check fmt-check vet staticcheck selfscan unit sdk-test fuzz install clean test-servers test-providers

build:
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN) ./cmd/swiftclaw

install:
	CGO_ENABLED=0 $(GO) install -trimpath ./cmd/swiftclaw

demo: build
	./scripts/demo.sh $(abspath $(BIN))

test: check unit sdk-test

check: fmt-check vet staticcheck selfscan

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

$(STATICCHECK):
	GOBIN=$(TOOLS) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_V)

staticcheck: $(STATICCHECK)
	$(STATICCHECK) ./...

# swiftclaw scans itself with its own scanner (allowlist: .gitleaks.toml, test fixtures only).
selfscan: build
	./$(BIN) security scan --check

unit:
	$(GO) test -race -count=1 ./...

# The Python SDK (sdk/python), stdlib unittest, against the real binary (built once into a
# temporary directory by the tests) in real git repositories.
sdk-test:
	$(PYTHON) -m unittest discover -s sdk/python/tests -t sdk/python/tests

# The servers the provider conformance suite runs against (Vault, kumo), built once into
# ${SWIFTCLAW_TEST_CACHE:-~/.cache/swiftclaw-test}/bin. `make test` runs the suite too; with
# SWIFTCLAW_REQUIRE_SERVERS=1 (as .ci/run sets) a missing server fails it.
test-servers:
	./scripts/build-test-servers.sh

test-providers: test-servers
	SWIFTCLAW_REQUIRE_SERVERS=1 $(GO) test -race -count=1 ./providers/... ./cmd/swiftclaw -run 'Conformance|Stages|Throttl|Network|JSON|Copy|TestScripts/providers'

# Fuzz each parser for real (the seed corpora also run as ordinary tests in `make test`).
FUZZTIME ?= 60s
fuzz:
	$(GO) test ./vault -run '^$$' -fuzz '^FuzzParseSecretFile$$' -fuzztime $(FUZZTIME)
	$(GO) test ./vault -run '^$$' -fuzz '^FuzzParseIdentities$$' -fuzztime $(FUZZTIME)
	$(GO) test ./audit -run '^$$' -fuzz '^FuzzVerify$$' -fuzztime $(FUZZTIME)
	$(GO) test ./audit -run '^$$' -fuzz '^FuzzQuickDecode$$' -fuzztime $(FUZZTIME)
	$(GO) test ./scan -run '^$$' -fuzz '^FuzzParseFingerprints$$' -fuzztime $(FUZZTIME)
	$(GO) test ./scan -run '^$$' -fuzz '^FuzzCheckVaultFile$$' -fuzztime $(FUZZTIME)

clean:
	rm -rf bin
