package keeper_test

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/app/accel"
	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// signed is one (key, message, signature) triple.
type signed struct {
	pk       types.PublicKey
	msg, sig []byte
}

func signedBy(name string, msg string) signed {
	k := key(name)
	return signed{pub(k), []byte(msg), ed25519.Sign(k, []byte(msg))}
}

// sigFacts returns the keeper's memories with a signature cache of 64.
func sigFacts() (*accel.Facts, *accel.SigCache) {
	mem := keeperMemories
	mem.SigCache = 64
	f := accel.NewFacts(mem)
	return f, f.Sigs()
}

func requireStats(t *testing.T, c *accel.SigCache, hits, verified uint64) {
	t.Helper()
	h, v := c.Stats()
	require.Equal(t, hits, h, "hits")
	require.Equal(t, verified, v, "verified")
}

// TestSigCacheInKeeper runs a tx through Check (CheckTx) and then Execute
// (FinalizeBlock): the signatures are verified once.
func TestSigCacheInKeeper(t *testing.T) {
	f, c := sigFacts()
	e := newEnvWith(t, f)
	id := e.thresholdDID()
	_, verified := c.Stats()
	tx := e.sign(txbuild.Deactivate(testChain, id, 1), e.signers(id, "t1", "t2")...)
	_, err := e.check(tx)
	require.NoError(t, err)
	requireStats(t, c, 0, verified+2)
	out, err := e.exec(tx)
	require.NoError(t, err)
	require.Equal(t, uint64(2), out.Version)
	requireStats(t, c, 2, verified+2)
}

// TestSigCacheRotation: a rotation's two signatures name one fragment.
// The old key's counts for the current material at once; the new key's
// fails under the old material, then verifies under the new. Check
// computes those three facts, execution finds all three in the cache.
func TestSigCacheRotation(t *testing.T) {
	f, c := sigFacts()
	e := newEnvWith(t, f)
	k, k2 := key("rot-old"), key("rot-new")
	id := e.create(k)
	_, verified := c.Stats()
	tx := e.sign(txbuild.Rotate(testChain, id, 1, "key-1", pub(k2)),
		txbuild.NewSigner(id, "key-1", k), txbuild.NewSigner(id, "key-1", k2))
	_, err := e.check(tx)
	require.NoError(t, err)
	hits, _ := c.Stats()
	// Two verifications, not three: the second signature naming key-1 is
	// tried under the new key first, since the old one has signed.
	requireStats(t, c, hits, verified+2)
	out, err := e.exec(tx)
	require.NoError(t, err)
	require.Equal(t, uint64(2), out.Version)
	requireStats(t, c, hits+2, verified+2)
}

// TestRotationSignatureOrder: which signature comes first changes only the
// work, never the outcome: the new key's proof first costs one failed
// verification more; the old key twice is no proof of possession.
func TestRotationSignatureOrder(t *testing.T) {
	f, c := sigFacts()
	e := newEnvWith(t, f)
	k, k2 := key("order-old"), key("order-new")
	id := e.create(k)
	_, verified := c.Stats()
	body := txbuild.Rotate(testChain, id, 1, "key-1", pub(k2))
	twice := e.sign(body, txbuild.NewSigner(id, "key-1", k), txbuild.NewSigner(id, "key-1", k))
	_, err := e.check(twice)
	require.ErrorIs(t, err, types.ErrMissingPossession)

	body2 := txbuild.Rotate(testChain, id, 1, "key-1", pub(k2))
	body2.Memo = "other sign bytes than the first tx's"
	swapped := e.sign(body2, txbuild.NewSigner(id, "key-1", k2), txbuild.NewSigner(id, "key-1", k))
	_, verifiedBefore := c.Stats()
	_, err = e.check(swapped)
	require.NoError(t, err)
	_, after := c.Stats()
	require.Equal(t, uint64(3), after-verifiedBefore, "new key's signature first: tried under the old key, then the new; then the old key's")
	out, err := e.exec(swapped)
	require.NoError(t, err)
	require.Equal(t, uint64(2), out.Version)
	require.Equal(t, verified+2+3, after)
}

// TestSigCacheForgery is the keeper-level form of the spilling signature:
// a tx whose memo carries another tx's sign bytes let a node that had
// checked it accept the other tx with a forged signature, while a node
// without the cache entry refused it (an app hash fork).
func TestSigCacheForgery(t *testing.T) {
	for _, cached := range []bool{false, true} {
		t.Run(fmt.Sprint("cache=", cached), func(t *testing.T) {
			var facts keeper.Facts = keeper.Direct{}
			if cached {
				facts, _ = sigFacts()
			}
			e := newEnvWith(t, facts)
			k := key("forger")
			id := e.create(k)
			signer := txbuild.NewSigner(id, "key-1", k)

			targetBody := txbuild.Deactivate(testChain, id, 1)
			target, err := targetBody.Marshal()
			require.NoError(t, err)
			spill := types.SignBytes(target)
			carrier := txbuild.Deactivate(testChain, id, 1)
			carrier.Memo = "x"
			for {
				b, err := carrier.Marshal()
				require.NoError(t, err)
				msg := types.SignBytes(b)
				if len(msg) >= 256+len(spill) && bytes.Equal(msg[256:], spill) {
					break
				}
				// memo = filler || spill, the filler sized so that the
				// spill starts at byte 256 of the sign bytes.
				pad := 256 - (len(msg) - len(carrier.Memo))
				require.Positive(t, pad, "the carrier does not fit")
				carrier.Memo = strings.Repeat("x", pad) + string(spill)
				require.LessOrEqual(t, len(carrier.Memo), int(types.DefaultParams().MaxMemoBytes))
			}
			carrierTx := e.sign(carrier, signer)
			// A memo of binary bytes is itself refused now (invalid_memo),
			// before any signature is checked; the carrier's signature
			// still goes through the verifier, as another field could
			// carry the bytes.
			_, err = e.check(carrierTx)
			require.ErrorIs(t, err, types.ErrInvalidMemo)
			var env types.Tx
			require.NoError(t, env.Unmarshal(carrierTx))
			msg := types.SignBytes(env.Body)
			require.True(t, facts.Verify(signer.Public(), msg, env.Signatures[0].Signature))

			forged := append(bytes.Clone(env.Signatures[0].Signature), msg[:256]...)
			tx, err := types.EncodeTx(target, []types.Signature{{VerificationMethod: signer.URL.String(), Signature: forged}})
			require.NoError(t, err)
			e.refuse(tx, types.ErrBadSignature)
		})
	}
}
