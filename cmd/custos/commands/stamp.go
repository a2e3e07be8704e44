package commands

import (
	"context"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/spf13/cobra"

	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// stampIfNeeded adds to tx (a create) the proof-of-work stamp the chain's
// params ask for, telling w how it goes; other txs, and creates on a chain
// without stamps, pass unchanged. When the node does not serve its params
// the tx goes without a stamp and the ledger judges.
func stampIfNeeded(cmd *cobra.Command, l *ledger, body *types.TxBody, tx []byte) ([]byte, error) {
	if _, create := body.Operation.(*types.TxBody_Create); !create {
		return tx, nil
	}
	qctx, cancel := l.context(cmd)
	p, err := l.Params(qctx)
	cancel()
	if err != nil || p.StampDifficulty == 0 {
		return tx, nil
	}
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	return stampTx(ctx, cmd.ErrOrStderr(), tx, p.StampDifficulty)
}

// stampTx computes a stamp of bits bits for tx, with progress on w.
func stampTx(ctx context.Context, w io.Writer, tx []byte, bits uint32) ([]byte, error) {
	start := time.Now()
	expected := math.Exp2(float64(bits))
	fmt.Fprintf(w, "computing the proof-of-work stamp this chain asks of a create (%d bits, about %.0f million hashes)...\n", bits, expected/1e6)
	out, err := txbuild.AddStamp(ctx, tx, bits, func(tried uint64) {
		fmt.Fprintf(w, "  %d million hashes tried (%s)\n", tried/1_000_000, time.Since(start).Round(100*time.Millisecond))
	})
	if err != nil {
		return nil, fmt.Errorf("cannot compute the stamp: %v", err)
	}
	fmt.Fprintf(w, "stamp found in %s\n", time.Since(start).Round(10*time.Millisecond))
	return out, nil
}

// endorserSigner finds the endorser DID of the chain whose current
// capabilityInvocation keys include the keyring key name, and returns the
// signer that endorses a create with it (docs/write-policy.md).
func (e *didEnv) endorserSigner(ctx context.Context, name string) (plannedSigner, error) {
	info, err := e.kr.Get(name)
	if err != nil {
		return plannedSigner{}, keyError(e.kr, fmt.Errorf("--endorser %s: %w", name, err))
	}
	p, err := e.l.Params(ctx)
	if err != nil {
		return plannedSigner{}, fmt.Errorf("--endorser %s: cannot read the chain's endorsers: %v", name, err)
	}
	if p.WritePolicy != types.WRITE_POLICY_ENDORSED {
		return plannedSigner{}, fmt.Errorf("--endorser %s: this chain's write policy is open: creates need no endorsement", name)
	}
	for _, d := range p.Endorsers {
		id, err := types.ParseID(d)
		if err != nil {
			continue
		}
		res, err := e.l.Current(ctx, id)
		if err != nil || res.Head.Deactivated {
			continue
		}
		doc := &res.Record.Document
		for _, f := range doc.CapabilityInvocation {
			if pk, ok := fragmentKey(doc, f); ok && pk == info.PublicKey {
				return plannedSigner{name: name, fragment: f, did: id}, nil
			}
		}
	}
	return plannedSigner{}, fmt.Errorf("--endorser %s: key %s is not a current capabilityInvocation key of an active endorser of this chain (%d listed in its genesis)", name, info.PublicKey.Multibase(), len(p.Endorsers))
}
