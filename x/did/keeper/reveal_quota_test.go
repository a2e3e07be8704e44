package keeper_test

import (
	"crypto/ed25519"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// revealChain is a one-key DID with pre-rotation whose controller key is
// rotated, reveal after reveal, along a chain of keys: keys[i] controls
// the DID after i reveals, and keys[i+1] is committed.
type revealChain struct {
	e    *env
	id   types.ID
	name string
	n    int // reveals made
}

func (c *revealChain) key(i int) ed25519.PrivateKey { return key(fmt.Sprintf("%s-%d", c.name, i)) }

func newRevealChain(e *env, name string) *revealChain {
	c := &revealChain{e: e, name: name}
	doc := txbuild.SimpleDocument("key-1", pub(c.key(0)))
	doc.NextKeys = txbuild.Commitment(1, pub(c.key(1)))
	c.id = e.createDoc(doc, fk{"key-1", c.key(0)})
	return c
}

// revealTx rotates key-1 to the committed next key and commits the one
// after it, signed by the revealed key.
func (c *revealChain) revealTx() []byte {
	next := c.key(c.n + 1)
	body := txbuild.Rotate(testChain, c.id, c.e.head(c.id).Version, "key-1", pub(next))
	body.Operation.(*types.TxBody_RotateKey).RotateKey.NextKeys = txbuild.Commitment(1, pub(c.key(c.n+2)))
	return c.e.sign(body, txbuild.NewSigner(c.id, "key-1", next))
}

// reveal executes the next reveal and returns its error; it advances the
// chain only when the reveal applied.
func (c *revealChain) reveal() error {
	_, err := c.e.exec(c.revealTx())
	if err == nil {
		c.n++
	}
	return err
}

// current signs with the key that controls the DID now.
func (c *revealChain) current() txbuild.Signer { return txbuild.NewSigner(c.id, "key-1", c.key(c.n)) }

// The holder of a DID's next keys cannot write without limit by revealing
// them again and again: 200 reveals in 200 seconds of block time are
// refused at the 11th (10 an hour), with the time the reveal quota
// reopens.
func TestRateLimitRevealSpamRefused(t *testing.T) {
	e := newEnv(t).withParams(limited())
	c := newRevealChain(e, "spam")
	first := e.nextBlock().Time
	applied := 0
	var refused error
	for i := 0; i < 200 && refused == nil; i++ {
		if err := c.reveal(); err != nil {
			refused = err
			break
		}
		applied++
	}
	require.Equal(t, 10, applied, "reveals applied before the quota: one DID must not write 200 versions in 200 s")
	require.ErrorIs(t, refused, types.ErrRateLimited)
	require.Equal(t, first+hour, types.RetryAt(refused))
	require.Contains(t, refused.Error(), "its 10 reveals per 1h0m0s")
	e.refuseLimited(c.revealTx(), first+hour)
}

// After the window the reveal quota reopens: the 11th reveal is allowed
// from the time the refusal named, and the day's limit (30) binds across
// hours.
func TestRateLimitRevealQuotaReopens(t *testing.T) {
	e := newEnv(t).withParams(limited())
	c := newRevealChain(e, "reopen")
	first := e.nextBlock().Time
	for i := 0; i < 10; i++ {
		require.NoError(t, c.reveal(), "reveal %d", i+1)
	}
	e.refuseLimited(c.revealTx(), first+hour)
	e.advance(first + hour - e.now() - 1)
	require.Equal(t, first+hour, e.nextBlock().Time)
	require.NoError(t, c.reveal(), "the reveal quota reopens with the window")
	for i := 0; i < 9; i++ {
		require.NoError(t, c.reveal())
	}
	e.advance(hour)
	for i := 0; i < 10; i++ {
		require.NoError(t, c.reveal())
	}
	require.Equal(t, uint32(30), e.head(c.id).RevealRate[1].Count)
	e.advance(hour)
	e.refuseLimited(c.revealTx(), first+day)
}

// A thief holding only the current key spends the ordinary quota; its
// ops never touch the reveal windows, so the owner's reveal goes through
// even when the owner has used all but one reveal of the hour, and is
// refused only by the owner's own reveals.
func TestRateLimitThiefCannotBlockReveal(t *testing.T) {
	e := newEnv(t).withParams(limited())
	c := newRevealChain(e, "stolen")
	first := e.nextBlock().Time
	for i := 0; i < 9; i++ { // the owner's own rotations: 9 of 10 reveals this hour
		require.NoError(t, c.reveal())
	}
	thief := c.current() // the thief steals the current key, not the next one
	e.spend(c.id, 10, thief)
	e.refuseLimited(e.serviceUpdate(c.id, e.head(c.id).Version, 99, thief), e.head(c.id).Rate[0].Start+hour)
	require.Equal(t, uint32(9), e.head(c.id).RevealRate[0].Count, "the thief's ops count against the ordinary quota only")

	require.NoError(t, c.reveal(), "the owner's reveal goes through at the thief's spent quota")
	require.Equal(t, pub(c.key(10)).Multicodec(), e.current(c.id).Document.VerificationMethods[0].PublicKey,
		"the owner's revealed key replaced the thief's")
	e.refuseLimited(c.revealTx(), first+hour)
}

// The first reveal after the reveal windows closed closes the ordinary
// windows (the owner starts afresh after a theft); a later reveal in the
// same reveal windows leaves them, so reveals cannot buy a fresh ordinary
// quota each.
func TestRateLimitRevealResetsOrdinaryOnce(t *testing.T) {
	e := newEnv(t).withParams(limited())
	c := newRevealChain(e, "reset")
	e.spend(c.id, 9, c.current())
	require.NoError(t, c.reveal())
	require.Empty(t, e.head(c.id).Rate, "the first reveal closes the ordinary windows")
	owner := c.current()
	e.spend(c.id, 10, owner)
	spent := e.head(c.id).Rate
	require.NoError(t, c.reveal())
	require.Equal(t, spent, e.head(c.id).Rate, "a second reveal in the open reveal windows leaves the ordinary ones")
	e.refuseLimited(e.serviceUpdate(c.id, e.head(c.id).Version, 99, c.current()), spent[0].Start+hour)
}
