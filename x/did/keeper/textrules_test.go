package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// A memo that is not valid UTF-8, or that holds characters that would make
// the history read as something else (a right-to-left override, a line
// break, an isolate, a zero-width space), is refused with invalid_memo,
// before any signature is checked, and changes nothing; the same tx with
// a plain memo executes. Before memos were validated, each executed and
// its memo came out raw in the history.
func TestMemoTextRefused(t *testing.T) {
	e := newEnv(t)
	k := key("memo-owner")
	id := e.create(k)
	for _, memo := range []string{
		"\xff\xfe not UTF-8",
		"paid \u202e0001$ ot",
		"line\nbreak",
		"\u2067isolate\u2069",
		"zero\u200bwidth",
		"\x1b[2Jclear",
	} {
		body := txbuild.Rotate(testChain, id, 1, "key-1", pub(key("memo-next")))
		body.Memo = memo
		tx := e.sign(body, txbuild.NewSigner(id, "key-1", k), txbuild.NewSigner(id, "key-1", key("memo-next")))
		_, err := e.check(tx)
		require.ErrorIs(t, err, types.ErrInvalidMemo, "%q", memo)
		e.refuse(tx, types.ErrInvalidMemo)
	}
	body := txbuild.Rotate(testChain, id, 1, "key-1", pub(key("memo-next")))
	body.Memo = "new laptop · nouvelle clé"
	out, err := e.exec(e.sign(body, txbuild.NewSigner(id, "key-1", k), txbuild.NewSigner(id, "key-1", key("memo-next"))))
	require.NoError(t, err)
	require.Equal(t, "new laptop · nouvelle clé", out.Event.Memo)
}

// A key material revoked as compromised never comes back to the DID: not
// by an update under its old fragment or another one, not by a rotation,
// not in a recovery's proposal (checked in the recovery tests' helper
// path through refuseCompromised). A retired key may come back. Before
// the rule, the re-adding update executed.
func TestCompromisedKeyNeverReadded(t *testing.T) {
	e := newEnv(t)
	doc := e.controlled(1, "a", "b")
	id := e.createDoc(doc, e.fk("a"), e.fk("b"))
	stolen := pub(e.key("b"))
	_, err := e.exec(e.sign(txbuild.Revoke(testChain, id, 1, "b", types.REVOCATION_REASON_COMPROMISED, e.now()), as(id, e.fk("a"))...))
	require.NoError(t, err)

	for _, frag := range []string{"b", "b-again"} {
		up := e.controlled(1, "a")
		up.VerificationMethods = append(up.VerificationMethods, vm(frag, stolen))
		up.Authentication = append(up.Authentication, frag)
		tx := e.sign(txbuild.Update(testChain, id, 2, up), append(as(id, e.fk("a")), txbuild.NewSigner(id, frag, e.key("b")))...)
		e.refuse(tx, types.ErrKeyCompromised)
	}
	rot := e.sign(txbuild.Rotate(testChain, id, 2, "a", stolen), append(as(id, e.fk("a")), txbuild.NewSigner(id, "a", e.key("b")))...)
	e.refuse(rot, types.ErrKeyCompromised)

	// A retired key is not compromised: it may return.
	doc2 := e.controlled(1, "c", "d")
	id2 := e.createDoc(doc2, e.fk("c"), e.fk("d"))
	_, err = e.exec(e.sign(txbuild.Revoke(testChain, id2, 1, "d", types.REVOCATION_REASON_RETIRED, 0), as(id2, e.fk("c"))...))
	require.NoError(t, err)
	back := e.controlled(1, "c", "d")
	_, err = e.exec(e.sign(txbuild.Update(testChain, id2, 2, back), as(id2, e.fk("c"), e.fk("d"))...))
	require.NoError(t, err)

	// The rule is per DID: another DID may list the material.
	other := e.controlled(1, "x")
	other.VerificationMethods[0] = vm("x", stolen)
	e.createDoc(other, fk{"x", e.key("b")})
}
