#!/usr/bin/env bash
# Regenerates the Go code of proto/ into x/did/types with gogoproto's
# protoc-gen-gocosmos. Needs protoc (Debian: protobuf-compiler).
set -euo pipefail
cd "$(dirname "$0")/.."
GOGO=$(go list -m -f '{{.Dir}}' github.com/cosmos/gogoproto)
GOBIN=$(go env GOPATH)/bin
if [ ! -x "$GOBIN/protoc-gen-gocosmos" ]; then
  go install github.com/cosmos/gogoproto/protoc-gen-gocosmos@v1.7.2
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
PATH="$GOBIN:$PATH" protoc -I proto -I "$GOGO" \
  --gocosmos_out=paths=source_relative:"$out" \
  proto/custos/did/v1/*.proto
cp "$out"/custos/did/v1/*.pb.go x/did/types/
