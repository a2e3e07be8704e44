# Custos developer targets. `make help` lists them.

GO       ?= go
BIN      ?= bin/custos
HOME_DIR ?= $(HOME)/.custos

# Fuzz targets run by `make fuzz`, as package:FuzzName, space-separated.
FUZZ_TARGETS ?= ./x/did/types:FuzzDecodeTx ./x/did/types:FuzzParseID ./x/did/types:FuzzParseURL \
                ./x/did/types:FuzzParseMultikey ./x/did/types:FuzzParsePublicKey ./cmd/custos/node:FuzzParseTOML
FUZZ_TIME    ?= 30s

.PHONY: help build run test proto fuzz lint

help:
	@echo "targets: build run test proto fuzz lint"
	@echo "  run uses HOME_DIR=$(HOME_DIR); fuzz runs FUZZ_TARGETS for FUZZ_TIME each"

build:
	$(GO) build -o $(BIN) ./cmd/custos

run: build
	@if [ ! -f "$(HOME_DIR)/config/genesis.json" ]; then $(BIN) init --home "$(HOME_DIR)"; fi
	$(BIN) start --home "$(HOME_DIR)"

test:
	$(GO) test -count=1 -timeout 15m ./...

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
