package verify_test

import (
	"context"
	"fmt"

	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/custos-ledger/custos/verify"
)

// Resolve a DID and check the answer against the chain: proofs at height H,
// the app hash from header H+1 as verified by the light client, trusting
// the genesis validators.
func Example() {
	ctx := context.Background()
	id, _, height, err := createDID("example") // registers a DID through the node
	if err != nil {
		panic(err)
	}
	gen, err := cmttypes.GenesisDocFromFile(genesisFile)
	if err != nil {
		panic(err)
	}
	c, err := verify.New(ctx, verify.Config{
		ChainID:   gen.ChainID,
		Primary:   nodeAddr,           // the node that answers
		Witnesses: []string{nodeAddr}, // nodes that cross-check headers
		Genesis:   gen,
	})
	if err != nil {
		panic(err)
	}
	defer c.Close()
	res, err := c.ResolveAt(ctx, id, 0, height) // as of the block that created it

	if err != nil {
		panic(err) // the answer did not verify
	}
	fmt.Println("version", res.Record.Version, "verified at a height above 0:", res.Height > 0)
	// Output: version 1 verified at a height above 0: true
}
