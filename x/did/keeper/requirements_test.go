package keeper_test

import (
	"crypto/ed25519"
	"fmt"
	"math/rand"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// reqCase is one generated tx of TestRequirementsMatchKeeper: its body,
// the state its requirement depends on, and every key that may sign it
// (the target's and guardian's keys under their current and proposed
// materials).
type reqCase struct {
	body  types.TxBody
	state keeper.RequirementState
	pool  []poolKey
}

type poolKey struct {
	url  types.URL
	priv ed25519.PrivateKey
}

func (c *reqCase) add(id types.ID, frag string, k ed25519.PrivateKey) {
	for _, p := range c.pool {
		if p.url.ID == id && p.url.Fragment == frag && pub(p.priv) == pub(k) {
			return
		}
	}
	c.pool = append(c.pool, poolKey{types.URL{ID: id, Fragment: frag}, k})
}

// reqGen builds the DIDs and txs of the property test in one store.
type reqGen struct {
	e   *env
	rng *rand.Rand
	n   int // DID counter: names the keys of the latest DID
}

func (g *reqGen) k(name string) ed25519.PrivateKey { return key(fmt.Sprintf("req/%d/%s", g.n, name)) }

// did registers a DID with n controllers key-1..n (threshold m) and, when
// next > 0, a commitment to next-1..next (threshold nt).
func (g *reqGen) did(n, m, next, nt int) (types.ID, types.Document, map[string]ed25519.PrivateKey) {
	g.n++ // every DID gets fresh keys
	privs := map[string]ed25519.PrivateKey{}
	doc := types.Document{Threshold: uint32(m)}
	var signers []fk
	for i := 1; i <= n; i++ {
		f := fmt.Sprintf("key-%d", i)
		privs[f] = g.k(f)
		doc.VerificationMethods = append(doc.VerificationMethods, vm(f, pub(privs[f])))
		doc.CapabilityInvocation = append(doc.CapabilityInvocation, f)
		doc.Authentication = append(doc.Authentication, f)
		signers = append(signers, fk{f, privs[f]})
	}
	if next > 0 {
		var pks []types.PublicKey
		for i := 1; i <= next; i++ {
			f := fmt.Sprintf("next-%d", i)
			privs[f] = g.k(f)
			pks = append(pks, pub(privs[f]))
		}
		doc.NextKeys = txbuild.Commitment(uint32(nt), pks...)
	}
	id := g.e.createDoc(doc, signers...)
	doc.Id = id.String()
	return id, doc, privs
}

// gen returns a random tx on a fresh DID, with its state and pool.
func (g *reqGen) gen() reqCase {
	r := g.rng
	n := 1 + r.Intn(4)
	m := 1 + r.Intn(n)
	next, nt := 0, 0
	if r.Intn(3) == 0 {
		next = 1 + r.Intn(3)
		nt = 1 + r.Intn(next)
	}
	id, cur, privs := g.did(n, m, next, nt)
	c := reqCase{state: keeper.RequirementState{Current: &cur}}
	for i := 1; i <= n; i++ {
		f := fmt.Sprintf("key-%d", i)
		c.add(id, f, privs[f])
	}
	fresh := func(f string) ed25519.PrivateKey { return g.k("fresh-" + f) }
	switch r.Intn(6) {
	case 0: // update: add a controller, or reveal the committed keys
		doc := cur.Clone()
		if next > 0 && r.Intn(2) == 0 {
			doc.VerificationMethods, doc.CapabilityInvocation, doc.Authentication = nil, nil, nil
			for i := 1; i <= next; i++ {
				f := fmt.Sprintf("next-%d", i)
				doc.VerificationMethods = append(doc.VerificationMethods, vm(f, pub(privs[f])))
				doc.CapabilityInvocation = append(doc.CapabilityInvocation, f)
				c.add(id, f, privs[f])
			}
			doc.Threshold = uint32(nt)
			doc.NextKeys = txbuild.Commitment(1, pub(g.k("after")))
		} else {
			k := fresh("key-9")
			doc.VerificationMethods = append(doc.VerificationMethods, vm("key-9", pub(k)))
			if r.Intn(2) == 0 {
				doc.CapabilityInvocation = append(doc.CapabilityInvocation, "key-9")
			} else {
				doc.AssertionMethod = append(doc.AssertionMethod, "key-9")
			}
			c.add(id, "key-9", k)
		}
		c.body = txbuild.Update(testChain, id, 1, doc)
	case 1: // rotate key-1, to a fresh key or (committed) to next-1
		k := fresh("key-1")
		if next > 0 && r.Intn(2) == 0 {
			k = privs["next-1"]
		}
		c.add(id, "key-1", k)
		c.body = txbuild.Rotate(testChain, id, 1, "key-1", pub(k))
		if next > 0 && r.Intn(3) > 0 {
			c.body.GetRotateKey().NextKeys = txbuild.Commitment(1, pub(g.k("after")))
		}
	case 2: // revoke the last key, when that keeps control
		if n == m { // would_lose_control whoever signs
			return g.gen()
		}
		c.body = txbuild.Revoke(testChain, id, 1, fmt.Sprintf("key-%d", n), types.REVOCATION_REASON_RETIRED, 0)
	case 3: // deactivate, revealing the committed keys when there are some
		c.body = txbuild.Deactivate(testChain, id, 1)
		if next > 0 {
			var reveal []types.VerificationMethod
			for i := 1; i <= next; i++ {
				f := fmt.Sprintf("next-%d", i)
				reveal = append(reveal, vm(f, pub(privs[f])))
				c.add(id, f, privs[f])
			}
			c.body = txbuild.DeactivateRevealing(testChain, id, 1, reveal)
		}
	case 4: // set guardians
		gid, _, _ := g.did(1, 1, 0, 0)
		c.body = txbuild.SetGuardians(testChain, id, 1, 0, []types.ID{gid}, 1, types.DefaultParams().RecoveryMinDelay)
	default: // a recovery initiated by a 1-to-3-key guardian, proposing 1 or 2 keys
		if next > 0 { // a first set under a commitment waits: no guardian yet
			return g.gen()
		}
		gn := 1 + r.Intn(3)
		gid, gdoc, gprivs := g.did(gn, 1+r.Intn(gn), 0, 0)
		set := txbuild.SetGuardians(testChain, id, 1, 0, []types.ID{gid}, 1, types.DefaultParams().RecoveryMinDelay)
		var ctl []txbuild.Signer
		for i := 1; i <= m; i++ {
			f := fmt.Sprintf("key-%d", i)
			ctl = append(ctl, txbuild.NewSigner(id, f, privs[f]))
		}
		_, err := g.e.exec(g.e.sign(set, ctl...))
		require.NoError(g.e.t, err)
		c.pool = nil // the target's current keys have no part in an initiation
		var vms []types.VerificationMethod
		for i := 1; i <= 1+r.Intn(2); i++ {
			f := fmt.Sprintf("new-%d", i)
			k := fresh(f)
			vms = append(vms, vm(f, pub(k)))
			c.add(id, f, k)
		}
		c.body = txbuild.RecoveryInitiate(testChain, id, 1, 1, gid, vms, 1, nil)
		c.state.Guardian = &gdoc
		for i := 1; i <= gn; i++ {
			f := fmt.Sprintf("key-%d", i)
			c.add(gid, f, gprivs[f])
		}
	}
	return c
}

// TestRequirementsMatchKeeper is the property that keeps the signing rules
// stated once: for generated txs on fresh DIDs (m-of-n controllers, with or
// without a pre-rotation commitment; updates, rotations, revocations,
// deactivations, guardian sets and recovery initiations) signed by a random
// subset of the keys that may sign them, the keeper accepts the tx exactly
// when keeper.Requirements says nothing is missing, and refuses a shortfall
// with the error the requirement names.
func TestRequirementsMatchKeeper(t *testing.T) {
	e := newEnv(t)
	g := &reqGen{e: e, rng: rand.New(rand.NewSource(22))}
	var accepted, refused, ruleErrs int
	for i := 0; i < 240; i++ {
		c := g.gen()
		req, rerr := keeper.Requirements(&c.body, c.state)
		var signers []txbuild.Signer
		var signed []keeper.SignerKey
		for _, p := range c.pool {
			if g.rng.Intn(3) == 0 {
				continue
			}
			signers = append(signers, txbuild.Signer{URL: p.url, Key: txbuild.Ed25519Key(p.priv)})
			signed = append(signed, keeper.SignerKey{URL: p.url, Key: pub(p.priv)})
		}
		_, err := e.exec(e.sign(c.body, signers...))
		what := fmt.Sprintf("case %d: %T signed by %v", i, c.body.Operation, signed)
		if rerr != nil {
			ruleErrs++
			require.Error(t, err, what)
			require.Equal(t, types.Registered(rerr), types.Registered(err), "%s: requirements say %v, the keeper %v", what, rerr, err)
			continue
		}
		missing := req.Missing(signed)
		if len(missing) == 0 {
			accepted++
			require.NoError(t, err, "%s: requirements say satisfied", what)
			continue
		}
		refused++
		require.Error(t, err, "%s: requirements say missing %v", what, missing)
		want := []*types.Error{}
		for _, s := range missing {
			want = append(want, types.Registered(s.Err()))
		}
		require.Contains(t, want, types.Registered(err), "%s: missing %v", what, missing)
	}
	t.Logf("accepted %d, refused for missing signatures %d, refused by rule %d", accepted, refused, ruleErrs)
	require.Greater(t, accepted, 40)
	require.Greater(t, refused, 40)
	require.Greater(t, ruleErrs, 5)
}

// TestRequirementsRoles checks the requirement of a few txs by hand: who
// must sign, at what threshold, and whose possession is owed.
func TestRequirementsRoles(t *testing.T) {
	e := newEnv(t)
	g := &reqGen{e: e, rng: rand.New(rand.NewSource(1))}
	id, cur, _ := g.did(3, 2, 0, 0)
	gid, gdoc, _ := g.did(2, 2, 0, 0)
	newKey := pub(key("req/roles/new"))
	url := func(d types.ID, f string) types.URL { return types.URL{ID: d, Fragment: f} }
	tests := []struct {
		name       string
		body       types.TxBody
		sets       []string // role@did-index:threshold:fragments
		possession []string
	}{
		{"rotate", txbuild.Rotate(testChain, id, 1, "key-2", newKey),
			[]string{"controllers@0:2:key-1,key-2,key-3"}, []string{"key-2"}},
		{"guardians", txbuild.SetGuardians(testChain, id, 1, 0, []types.ID{gid}, 1, 100),
			[]string{"controllers@0:2:key-1,key-2,key-3"}, nil},
		{"initiate", txbuild.RecoveryInitiate(testChain, id, 1, 1, gid, []types.VerificationMethod{vm("key-4", newKey)}, 1, nil),
			[]string{"guardian@1:2:key-1,key-2"}, []string{"key-4"}},
		{"owner cancel", txbuild.RecoveryCancel(testChain, id, 1, types.ID{}, 1),
			[]string{"controllers@0:2:key-1,key-2,key-3"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := keeper.Requirements(&tc.body, keeper.RequirementState{Current: &cur, Guardian: &gdoc})
			require.NoError(t, err)
			var sets []string
			for _, s := range req.Sets {
				who := 0
				if s.DID == gid {
					who = 1
				}
				frags := ""
				for i, k := range s.Keys {
					if i > 0 {
						frags += ","
					}
					frags += k.URL.Fragment
				}
				sets = append(sets, fmt.Sprintf("%s@%d:%d:%s", s.Role, who, s.Threshold, frags))
			}
			require.Equal(t, tc.sets, sets)
			var pos []string
			for _, k := range req.Possession {
				require.Equal(t, newKey, k.Key)
				require.Equal(t, url(id, k.URL.Fragment), k.URL)
				pos = append(pos, k.URL.Fragment)
			}
			require.Equal(t, tc.possession, pos)
			// Nobody signed: every set and possession is missing.
			require.Len(t, req.Missing(nil), len(tc.sets)+len(tc.possession))
		})
	}
}
