package verify_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/verify"
)

// TestStaleAnswerRefused: a primary whose /status claims an old latest
// height serves genuine headers and proofs of that height. Resolve refuses
// the answer as stale, by the witness's latest height and, with no other
// node, by the age of the header; ResolveAt at that height, asked for,
// answers. The trust file keeps its highest header throughout.
func TestStaleAnswerRefused(t *testing.T) {
	id, _, old, err := createDID("stale")
	require.NoError(t, err)
	gen, err := cmttypes.GenesisDocFromFile(genesisFile)
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "trusted.json")
	newClient := func(primary string, witnesses ...string) *verify.Client {
		c, err := verify.New(context.Background(), verify.Config{Primary: primary, Witnesses: witnesses, Genesis: gen,
			TrustFile: file, MaxAge: 2 * time.Second})
		require.NoError(t, err)
		t.Cleanup(func() { c.Close() })
		return c
	}
	ctx := context.Background()
	res, err := newClient(nodeAddr, nodeAddr).Resolve(ctx, id, 0)
	require.NoError(t, err)
	require.GreaterOrEqual(t, res.Height, old)
	require.NotNil(t, res.Head, "the DID is seen as soon as its create committed")
	top := trusted(t, file)

	// Wait until the chain is well past old and header old+1 is older
	// than MaxAge.
	for {
		h := old + 1
		cm, err := rpc.Commit(ctx, &h)
		require.NoError(t, err)
		st, err := rpc.Status(ctx)
		require.NoError(t, err)
		if time.Since(cm.Time) > 3*time.Second && st.SyncInfo.LatestBlockHeight > old+10 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	liar := startProxy(t, func(method string, res map[string]any) {
		if si, ok := res["sync_info"].(map[string]any); ok && method == "status" {
			si["latest_block_height"] = fmt.Sprint(old)
		}
	})
	for _, tc := range []struct {
		name      string
		witnesses []string
		want      string
	}{
		{"honest witness", []string{nodeAddr}, "blocks below the latest block"},
		{"no other node", []string{liar}, "more than the maximum age 2s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := newClient(liar, tc.witnesses...).Resolve(ctx, id, 0)
			require.True(t, errors.Is(err, verify.ErrStale), "got %v", err)
			require.ErrorContains(t, err, tc.want)
			require.Equal(t, top, trusted(t, file), "the trust point does not move back")
		})
	}
	at, err := newClient(liar, nodeAddr).ResolveAt(ctx, id, 0, old)
	require.NoError(t, err, "an old height asked for is answered")
	require.Equal(t, old, at.Height)
	require.Equal(t, []string{nodeAddr}, at.Agreed())
	require.Equal(t, top, trusted(t, file), "the trust point does not move back")
}

func trusted(t *testing.T, file string) int64 {
	t.Helper()
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	var tp struct{ Height int64 }
	require.NoError(t, json.Unmarshal(b, &tp))
	return tp.Height
}
