package keeper_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

const hour, day = 60 * 60, 24 * 60 * 60

// limited returns the default params with the network's rate limits (10
// an hour, 30 a day, 100 a week).
func limited() types.Params {
	p := types.DefaultParams()
	p.RateLimits = types.DefaultRateLimits()
	p.RecoveryMinDelay, p.RecoveryExpiry = 10, testExpiry
	return p
}

// serviceUpdate is an update of id (at version) that sets one service
// named after n, signed by signers; the rest of the document is kept.
func (e *env) serviceUpdate(id types.ID, version uint64, n int, signers ...txbuild.Signer) []byte {
	doc := e.current(id).Document.Clone()
	doc.Id = ""
	doc.Services = []types.Service{{Id: "hub", Type: "LinkedDomains", Endpoint: fmt.Sprintf("https://example.com/%d", n)}}
	return e.sign(txbuild.Update(testChain, id, version, doc), signers...)
}

// spend executes n service updates of id by signer from its current
// version and requires each to succeed.
func (e *env) spend(id types.ID, n int, signers ...txbuild.Signer) {
	e.t.Helper()
	for i := 0; i < n; i++ {
		_, err := e.exec(e.serviceUpdate(id, e.head(id).Version, i, signers...))
		require.NoError(e.t, err, "op %d", i)
	}
}

// refuseLimited executes tx and requires a rate_limited refusal that names
// retry as the time of the next allowed op and changes nothing.
func (e *env) refuseLimited(tx []byte, retry int64) {
	e.t.Helper()
	_, err := e.check(tx)
	require.ErrorIs(e.t, err, types.ErrRateLimited, "CheckTx refuses it too")
	require.Equal(e.t, retry, types.RetryAt(err))
	e.refuse(tx, types.ErrRateLimited)
	require.Contains(e.t, err.Error(), time.Unix(retry, 0).UTC().Format(time.RFC3339))
}

// The 11th counted op in an hour is refused with the time of the next
// allowed op, and allowed once the block time reaches it; the day's limit
// binds across hours.
func TestRateLimitWindows(t *testing.T) {
	e := newEnv(t).withParams(limited())
	k := key("busy")
	id := e.create(k) // op 1 opens the windows
	opened := e.now()
	s := txbuild.NewSigner(id, "key-1", k)
	e.spend(id, 9, s) // ops 2-10
	e.refuseLimited(e.serviceUpdate(id, 10, 99, s), opened+hour)

	// One second before the window closes: still refused.
	e.advance(opened + hour - 1 - e.now() - 1)
	require.Equal(t, opened+hour-1, e.nextBlock().Time)
	e.refuseLimited(e.serviceUpdate(id, 10, 99, s), opened+hour)
	// At the window's end the op is allowed again.
	require.Equal(t, opened+hour, e.nextBlock().Time)
	_, err := e.exec(e.serviceUpdate(id, 10, 99, s))
	require.NoError(t, err)

	// Ops 12-30 over two more hours, then the day's window is full.
	e.spend(id, 9, s)
	e.advance(hour)
	e.spend(id, 10, s)
	require.Equal(t, uint32(30), e.head(id).Rate[1].Count)
	e.advance(hour)
	e.refuseLimited(e.serviceUpdate(id, e.head(id).Version, 99, s), opened+day)
	e.advance(opened + day - e.now() - 1)
	_, err = e.exec(e.serviceUpdate(id, e.head(id).Version, 99, s))
	require.NoError(t, err)
}

// Every counted op kind counts: revocation and guardian changes too
// (a guardian change bumps no version but changes the head).
func TestRateLimitCountsEveryOwnerOp(t *testing.T) {
	p := limited()
	p.RateLimits = []types.RateLimit{{Period: hour, MaxOps: 3}}
	e := newEnv(t).withParams(p)
	g := e.create(key("guardian"))
	k1, k2 := key("k1"), key("k2")
	doc := types.Document{
		VerificationMethods:  []types.VerificationMethod{vm("key-1", pub(k1)), vm("key-2", pub(k2))},
		CapabilityInvocation: []string{"key-1", "key-2"}, Threshold: 1,
	}
	id := e.createDoc(doc, fk{"key-1", k1}, fk{"key-2", k2}) // 1
	s := txbuild.NewSigner(id, "key-1", k1)
	_, err := e.exec(e.sign(txbuild.SetGuardians(testChain, id, 1, 0, []types.ID{g}, 1, 10), s)) // 2
	require.NoError(t, err)
	require.Equal(t, uint64(1), e.head(id).Version, "a guardian change bumps no version")
	_, err = e.exec(e.sign(txbuild.Revoke(testChain, id, 1, "key-2", types.REVOCATION_REASON_RETIRED, 0), s)) // 3
	require.NoError(t, err)
	e.refuseLimited(e.serviceUpdate(id, 2, 1, s), e.head(id).Rate[0].Start+hour)
}

// A thief holding a DID's current key spends its quota; the owner's
// rotation to the pre-committed keys is still allowed (it spends the
// reveal quota, which the thief cannot) and starts the DID afresh.
func TestRateLimitRevealAllowed(t *testing.T) {
	e := newEnv(t).withParams(limited())
	cur, next, after := key("current"), key("next"), key("after")
	doc := txbuild.SimpleDocument("key-1", pub(cur))
	doc.NextKeys = txbuild.Commitment(1, pub(next))
	id := e.createDoc(doc, fk{"key-1", cur})
	thief := txbuild.NewSigner(id, "key-1", cur)
	e.spend(id, 9, thief)
	e.refuseLimited(e.serviceUpdate(id, 10, 99, thief), e.head(id).Rate[0].Start+hour)

	reveal := txbuild.Rotate(testChain, id, 10, "key-1", pub(next))
	reveal.Operation.(*types.TxBody_RotateKey).RotateKey.NextKeys = txbuild.Commitment(1, pub(after))
	_, err := e.exec(e.sign(reveal, txbuild.NewSigner(id, "key-1", next)))
	require.NoError(t, err, "the reveal is never rate limited")
	require.Empty(t, e.head(id).Rate, "the reveal closes the windows the thief used up")
	require.Equal(t, uint32(1), e.head(id).RevealRate[0].Count, "the reveal counts in its own windows")
	_, err = e.exec(e.serviceUpdate(id, 11, 1, txbuild.NewSigner(id, "key-1", next)))
	require.NoError(t, err, "the owner starts with a fresh quota")
}

// A thief spends the DID's quota; the guardians' initiation and approval,
// the owner's cancel vote and the recovery's execution still go through,
// and the recovered DID starts afresh.
func TestRateLimitRecoveryAllowed(t *testing.T) {
	w := newWorld(t, nil)
	w.withParams(limited())
	thief := w.ownerSigner()
	w.spend(w.owner, 10, thief)
	w.refuseLimited(w.serviceUpdate(w.owner, w.version(), 99, thief), w.head(w.owner).Rate[0].Start+hour)
	spent := w.head(w.owner).Rate

	newKey := key("recovered")
	_, err := w.exec(w.initiateTx(0, "key-1", newKey))
	require.NoError(t, err, "an initiation is never rate limited")
	_, err = w.exec(w.cancelTx(-1, 1))
	require.NoError(t, err, "the owner's cancel vote is never rate limited")
	_, err = w.exec(w.approveTx(1, 1))
	require.NoError(t, err, "an approval is never rate limited")
	require.Equal(t, spent, w.head(w.owner).Rate, "recovery ops count against nothing")
	w.advance(testDelay)
	rec := w.current(w.owner).Document
	require.Equal(t, pub(newKey).Multicodec(), rec.VerificationMethods[0].PublicKey, "the recovery executed")
	require.Empty(t, w.head(w.owner).Rate, "the recovery closes the windows the thief used up")
	_, err = w.exec(w.serviceUpdate(w.owner, w.version(), 1, txbuild.NewSigner(w.owner, "key-1", newKey)))
	require.NoError(t, err, "the recovered owner starts with a fresh quota")
}
