package app

import (
	_ "github.com/cometbft/cometbft/abci/example/kvstore"
	_ "github.com/cometbft/cometbft/config"
	_ "github.com/cometbft/cometbft/crypto/ed25519"
	_ "github.com/cometbft/cometbft/light"
	_ "github.com/cometbft/cometbft/light/rpc"
	_ "github.com/cometbft/cometbft/node"
	_ "github.com/cometbft/cometbft/rpc/client/http"
	_ "github.com/dgraph-io/badger/v4"
	_ "github.com/multiformats/go-multibase"
	_ "github.com/pokt-network/smt"
	_ "github.com/spf13/cobra"
	_ "github.com/stretchr/testify/require"
)
