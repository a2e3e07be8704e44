package resolver_test

import (
	"crypto/ed25519"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/resolver"
	"github.com/custos-ledger/custos/x/did/didjson"
	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// The 3 a.m. case through the resolver's HTTP interface: the key status of
// a stolen key, asked for a time in the theft window, answers compromised
// once the owner recorded it, whichever way:
//   - dana has one key: she rotates and marks the old key compromised since
//     the theft in the same operation (rotate --compromised);
//   - erin rotated in a hurry, without marking; she records the old
//     material compromised later, naming it (revoke-key --public-key);
//   - fred revoked a second key as retired; he finds out it was stolen and
//     upgrades its record (revoke-key on a key no longer listed).
//
// Each key answers valid before the theft; history shows keysCompromised.
// dana then rotates on until her stolen key's period is archived out of
// the head into the history: the answers stay the same.
// Before rotate could mark and revoke-key could upgrade, dana's and fred's
// stolen keys answered valid for the theft window (and fred's upgrade was
// refused with key_not_found).
func TestStolenKeyStatusThroughResolver(t *testing.T) {
	l := newLedger(t)
	dana, danaTx, danaKey := simpleDID(t, "dana")
	erin, erinTx, erinKey := simpleDID(t, "erin")
	fredDoc := txbuild.SimpleDocument("key-1", pub(key("fred")))
	fredDoc.VerificationMethods = append(fredDoc.VerificationMethods, types.VerificationMethod{Id: "laptop", PublicKey: pub(key("fred/laptop")).Multicodec()})
	fredDoc.Authentication = append(fredDoc.Authentication, "laptop")
	fred, fredTx := createTx(t, fredDoc, map[string]ed25519.PrivateKey{"key-1": key("fred"), "laptop": key("fred/laptop")})
	l.block(10, danaTx, erinTx, fredTx)
	created := l.now
	l.block(100) // an empty block: the theft happens in this window
	theft := l.now
	l.block(100)

	danaNew, erinNew := key("dana/new"), key("erin/new")
	rot := txbuild.Rotate(testChain, dana, 1, "key-1", pub(danaNew))
	rot.GetRotateKey().Compromised, rot.GetRotateKey().CompromisedSince = true, theft
	erinRot := txbuild.Rotate(testChain, erin, 1, "key-1", pub(erinNew))
	fredRevoke := txbuild.Revoke(testChain, fred, 1, "laptop", types.REVOCATION_REASON_RETIRED, 0)
	l.block(10,
		sign(t, rot, txbuild.NewSigner(dana, "key-1", danaKey), txbuild.NewSigner(dana, "key-1", danaNew)),
		sign(t, erinRot, txbuild.NewSigner(erin, "key-1", erinKey), txbuild.NewSigner(erin, "key-1", erinNew)),
		sign(t, fredRevoke, txbuild.NewSigner(fred, "key-1", key("fred"))))
	replaced := l.now
	l.block(100)

	erinMark := txbuild.Revoke(testChain, erin, 2, "key-1", types.REVOCATION_REASON_COMPROMISED, theft)
	erinMark.GetRevokeKey().PublicKey = pub(erinKey).Multicodec()
	fredMark := txbuild.Revoke(testChain, fred, 2, "laptop", types.REVOCATION_REASON_COMPROMISED, theft)
	l.block(10,
		sign(t, erinMark, txbuild.NewSigner(erin, "key-1", erinNew)),
		sign(t, fredMark, txbuild.NewSigner(fred, "key-1", key("fred"))))

	// dana rotates on: her stolen key's period leaves the head (which keeps
	// the last key_periods_kept) for the history entry that archived it;
	// its status must not change.
	prev := danaNew
	for i := range int(types.DefaultParams().KeyPeriodsKept) + 2 {
		next := key(fmt.Sprint("dana/later ", i))
		l.block(10, sign(t, txbuild.Rotate(testChain, dana, uint64(2+i), "key-1", pub(next)),
			txbuild.NewSigner(dana, "key-1", prev), txbuild.NewSigner(dana, "key-1", next)))
		prev = next
	}
	danaHead, err := keeper.GetHead(l.db, dana)
	require.NoError(t, err)
	require.NotEqual(t, pub(danaKey).Multicodec(), danaHead.KeyRecord("key-1").Periods[0].PublicKey, "archived")

	ts := startServer(t, resolver.NewLocalSource(l.db, nil))
	status := func(didURL string, at int64) map[string]any {
		t.Helper()
		res := ts.get(resolver.PathKeys + url.PathEscape(didURL) + "/status?at=" + url.QueryEscape(didjson.FormatTime(at)))
		require.Equal(t, http.StatusOK, res.status, "body: %s", res.body)
		return res.json(t)
	}
	for _, tc := range []struct {
		name   string
		url    string
		stolen types.PublicKey
	}{
		{"rotate --compromised", dana.String() + "#key-1", pub(danaKey)},
		{"revoke-key --public-key", erin.String() + "#key-1", pub(erinKey)},
		{"revoke-key on a retired key", fred.String() + "#laptop", pub(key("fred/laptop"))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, at := range []int64{created, theft - 1} {
				m := status(tc.url, at)
				require.Equal(t, "valid", m["status"], "before the theft, at %d", at)
				require.Equal(t, tc.stolen.Multibase(), m["publicKeyMultibase"])
			}
			for _, at := range []int64{theft, theft + 50, replaced - 1} {
				m := status(tc.url, at)
				require.Equal(t, "compromised", m["status"], "in the theft window, at %d", at)
				require.Equal(t, tc.stolen.Multibase(), m["publicKeyMultibase"])
				require.Equal(t, didjson.FormatTime(theft), m["compromisedSince"])
			}
		})
	}

	for _, tc := range []struct {
		did  types.ID
		frag string
	}{{dana, "key-1"}, {erin, "key-1"}, {fred, "laptop"}} {
		res := ts.get(resolver.PathIdentifiers + tc.did.String() + "/history")
		require.Equal(t, http.StatusOK, res.status, "body: %s", res.body)
		events := res.json(t)["events"].([]any)
		var marked []any
		for _, ev := range events {
			if kc, ok := ev.(map[string]any)["keysCompromised"]; ok {
				marked = append(marked, kc.([]any)...)
				require.Equal(t, "compromised", ev.(map[string]any)["reason"])
				require.Equal(t, didjson.FormatTime(theft), ev.(map[string]any)["compromisedSince"])
			}
		}
		require.Equal(t, []any{tc.did.String() + "#" + tc.frag}, marked, "history of %s", tc.did)
	}
}
