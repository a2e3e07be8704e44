# Custos developer targets. `make help` lists them.

GO       ?= go
BIN      ?= bin/custos
HOME_DIR ?= $(HOME)/.custos

# Fuzz targets run by `make fuzz`, as package:FuzzName, space-separated: by
# default every `func Fuzz...` in a *_test.go file of the tree.
FUZZ_TARGETS ?= $(shell find . -name '*_test.go' -not -path './node_modules/*' -not -path '*/node_modules/*' \
                  | xargs grep -Ho '^func Fuzz[A-Za-z0-9_]*' | sed -E 's|^(.*)/[^/]*:func (Fuzz.*)|\1:\2|' | sort)
FUZZ_TIME    ?= 30s

.PHONY: help build run test npm-deps proto fuzz lint

help:
	@echo "targets: build run test proto fuzz lint bench soak-memory"
	@echo "  run uses HOME_DIR=$(HOME_DIR); fuzz runs FUZZ_TARGETS for FUZZ_TIME each"
	@echo "  localnet localnet-stop localnet-status localnet-reset: a local testnet in LOCALNET_DIR (testnet/README.md)"

build:
	$(GO) build -o $(BIN) ./cmd/custos

run: build
	@if [ ! -f "$(HOME_DIR)/config/genesis.json" ]; then $(BIN) init --home "$(HOME_DIR)"; fi
	$(BIN) start --home "$(HOME_DIR)"

test: npm-deps
	$(GO) test -count=1 -timeout 15m ./...

# npm-deps installs the pinned JavaScript packages of the resolver's
# did-jwt conformance check (resolver/testdata/js) when node is available;
# without them that check skips, or fails when CI is set.
npm-deps:
	@if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then \
		npm ci --prefix resolver/testdata/js --no-audit --no-fund --loglevel=error; \
	else \
		echo "npm-deps: node or npm not found: the resolver's JavaScript conformance check will not run"; \
	fi

proto:
	./scripts/protocgen.sh

fuzz:
	@if [ -z "$(strip $(FUZZ_TARGETS))" ]; then echo "fuzz: nothing to do (FUZZ_TARGETS is empty)"; exit 0; fi; \
	for t in $(FUZZ_TARGETS); do \
		pkg="$${t%%:*}"; name="$${t##*:}"; \
		echo "fuzz: $$name in $$pkg for $(FUZZ_TIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZ_TIME) "$$pkg" || exit 1; \
	done

lint:
	@unformatted="$$(gofmt -l .)"; \
	if [ -n "$$unformatted" ]; then echo "gofmt needed on:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

# Local testnet (testnet/README.md). A new testnet gets LOCALNET_VALIDATORS
# validators and LOCALNET_FULL_NODES full nodes from LOCALNET_BASE_PORT.
LOCALNET_DIR        ?= testnet/.localnet
LOCALNET_VALIDATORS ?= 4
LOCALNET_FULL_NODES ?= 0
LOCALNET_BASE_PORT  ?= 26600
LOCALNET_ENV = BIN="$(BIN)" LOCALNET_DIR="$(LOCALNET_DIR)" LOCALNET_VALIDATORS="$(LOCALNET_VALIDATORS)" \
               LOCALNET_FULL_NODES="$(LOCALNET_FULL_NODES)" LOCALNET_BASE_PORT="$(LOCALNET_BASE_PORT)"

.PHONY: localnet localnet-stop localnet-status localnet-reset

localnet: build
	$(LOCALNET_ENV) ./testnet/localnet.sh start

localnet-stop:
	$(LOCALNET_ENV) ./testnet/localnet.sh stop

localnet-status:
	$(LOCALNET_ENV) ./testnet/localnet.sh status

localnet-reset:
	$(LOCALNET_ENV) ./testnet/localnet.sh reset

# Benchmarks (docs/bench.md): Custos beside CometBFT's kvstore (with the ABCI
# client Custos runs with, and as CometBFT ships it) on 1 and 4 local
# validators, 3 repetitions each, then the resolver's HTTP figures.
# Results go to bench/results/. BENCH_FLAGS passes more flags to the suite.
BENCH_FLAGS ?=

.PHONY: bench bench-resolver-1m

bench: build
	$(GO) build -o bin/custos-bench ./cmd/custos-bench
	bin/custos-bench suite --reps 3 --validators 1,4 --out bench/results $(BENCH_FLAGS)

# Every resolver figure (cache on and off, proofs, net/http client) with
# 1,000,000 DIDs in state.
bench-resolver-1m:
	CUSTOS_BENCH_DIDS=1000000 $(GO) test ./resolver -run '^$$' -bench 'BenchmarkResolveHTTP' -benchtime 3s -timeout 60m | tee bench/results/resolver-1m-all.txt

# The memory of one validator under sustained load and after it
# (docs/operators.md, "Memory"): SOAK_RATE txs/s offered for SOAK_DURATION,
# then SOAK_HOLD idle; samples and heap profiles go to SOAK_OUT. A few
# minutes; not part of `make test`.
.PHONY: soak-memory

soak-memory: build
	$(GO) build -o bin/custos-bench ./cmd/custos-bench
	BIN=$(BIN) BENCH=bin/custos-bench ./scripts/soak-memory.sh
