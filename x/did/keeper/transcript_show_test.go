package keeper_test

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/types"
)

// What the transcripts print: names instead of DIDs and key material,
// durations from the moment of printing instead of Unix times.

// outcome prints what a tx or a timed action did, at block time now.
func (w *transcript) outcome(o keeper.Outcome, now int64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", w.name(o.DID), w.entry(o.Event, now))
	for _, x := range o.Extra {
		fmt.Fprintf(&b, "\n  and %s", w.entry(x, now))
	}
	return b.String()
}

// entry prints a history entry recorded at block time now.
func (w *transcript) entry(h types.HistoryEntry, now int64) string {
	kind := strings.ToLower(strings.TrimPrefix(h.Kind.String(), "EVENT_KIND_"))
	var b strings.Builder
	fmt.Fprintf(&b, "%s v%d", kind, h.Version)
	if h.RecoveryId != 0 {
		fmt.Fprintf(&b, " recovery %d", h.RecoveryId)
	}
	if h.Guardian != "" {
		fmt.Fprintf(&b, " by %s", w.name(h.Guardian))
	}
	list := func(label string, l []string) {
		if len(l) > 0 {
			fmt.Fprintf(&b, " %s %s", label, strings.Join(l, ","))
		}
	}
	list("added", h.KeysAdded)
	list("removed", h.KeysRemoved)
	list("rotated", h.KeysRotated)
	list("compromised", h.KeysCompromised)
	if h.ServicesChanged {
		b.WriteString(" services changed")
	}
	if h.Kind == types.EVENT_KIND_GUARDIANS_SET || h.Kind == types.EVENT_KIND_GUARDIANS_CHANGED {
		fmt.Fprintf(&b, " guardians %s", w.config(types.GuardianConfig{Guardians: h.Guardians, Threshold: h.GuardianThreshold, Delay: h.Delay}))
	}
	switch {
	case h.Effective == now:
		b.WriteString(", effective at once")
	case h.Effective > now:
		fmt.Fprintf(&b, ", effective in %s", dur(h.Effective-now))
	case h.Effective != 0: // a timed action that ran after its time
		fmt.Fprintf(&b, ", effective %s ago", dur(now-h.Effective))
	}
	if h.Detail != "" {
		fmt.Fprintf(&b, ": %s", w.replaceDIDs(h.Detail))
	}
	return b.String()
}

// show prints a DID's current document, guardians, pending recoveries and
// key records.
func (w *transcript) show(id types.ID) string {
	now := w.e.now()
	head := w.e.head(id)
	doc := w.e.current(id).Document
	var b strings.Builder
	fmt.Fprintf(&b, "%s v%d", w.name(id), head.Version)
	if head.Deactivated {
		b.WriteString(" deactivated")
	}
	fmt.Fprintf(&b, " threshold %d\n", doc.Threshold)
	for _, m := range doc.VerificationMethods {
		var rels []string
		for _, r := range types.Relationships() {
			if doc.Has(r, m.Id) {
				rels = append(rels, r.JSONName())
			}
		}
		fmt.Fprintf(&b, "method %s: %s\n", w.method(m), strings.Join(rels, " "))
	}
	if n := doc.NextKeys; n != nil {
		fmt.Fprintf(&b, "next keys %s threshold %d\n", w.digests(n.Digests), n.Threshold)
	}
	for _, s := range doc.Services {
		fmt.Fprintf(&b, "service %s\n", s.Id)
	}

	gs, err := keeper.GetGuardians(w.e.db, id)
	require.NoError(w.e.t, err)
	if gs == nil {
		b.WriteString("guardians none\n")
	} else {
		fmt.Fprintf(&b, "guardians %s (revision %d)\n", w.config(gs.Current), gs.Revision)
		if gs.Pending != nil {
			fmt.Fprintf(&b, "guardian change to %s, effective in %s\n", w.config(*gs.Pending), dur(gs.PendingEffective-now))
		}
	}
	rs, err := keeper.GetRecoveries(w.e.db, id)
	require.NoError(w.e.t, err)
	if rs != nil {
		for _, r := range rs.Pending {
			var keys []string
			for _, k := range r.NewKeys {
				keys = append(keys, w.method(k))
			}
			fmt.Fprintf(&b, "recovery %d by %s: keys %s threshold %d", r.Id, w.name(r.Initiator), strings.Join(keys, ","), r.Threshold)
			if r.NextKeys != nil {
				fmt.Fprintf(&b, " next %s", w.digests(r.NextKeys.Digests))
			}
			fmt.Fprintf(&b, "; restores v%d", r.RestoreVersion)
			if r.Compromised {
				b.WriteString("; marks the keys it removes compromised")
				if r.CompromisedSince != 0 {
					fmt.Fprintf(&b, " since %s", at(r.CompromisedSince))
				}
			}
			fmt.Fprintf(&b, "\n  under guardians %s\n  approvals %s", w.config(r.Guardians), w.nameList(r.Approvals))
			if len(r.CancelVotes) > 0 {
				fmt.Fprintf(&b, "; cancel votes %s", w.nameList(r.CancelVotes))
			}
			if r.Ready != 0 {
				fmt.Fprintf(&b, "; ready in %s\n", dur(r.Ready-now))
			} else {
				fmt.Fprintf(&b, "; expires in %s\n", dur(r.Expires-now))
			}
		}
	}
	for _, fk := range head.Keys {
		var periods []string
		for _, p := range fk.Record.Periods {
			s := fmt.Sprintf("%s %s v%d-", w.material(p.PublicKey),
				strings.ToLower(strings.TrimPrefix(p.Status.String(), "KEY_STATUS_")), p.ValidFromVersion)
			if p.ValidUntilVersion != 0 {
				s += fmt.Sprintf("v%d", p.ValidUntilVersion)
			}
			if p.CompromisedSince != 0 {
				s += " since " + at(p.CompromisedSince)
			}
			periods = append(periods, s)
		}
		fmt.Fprintf(&b, "key %s: %s\n", fk.Fragment, strings.Join(periods, "; "))
	}
	if archived := w.archived(id, head); len(archived) > 0 {
		fmt.Fprintf(&b, "archived key periods of %s\n", strings.Join(archived, ","))
	}
	return b.String()
}

// archived lists the fragments whose older key periods the head moved into
// history entries, following the chain of archiving entries.
func (w *transcript) archived(id types.ID, head *types.Head) []string {
	seen := map[string]bool{}
	for seq := head.LastArchive; seq != 0; {
		h, err := keeper.GetEvent(w.e.db, id, seq)
		require.NoError(w.e.t, err)
		for _, fk := range h.ArchivedKeys {
			seen[fk.Fragment] = true
		}
		seq = h.PrevArchive
	}
	out := make([]string, 0, len(seen))
	for f := range seen {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// history prints a DID's key event log.
func (w *transcript) history(id types.ID) string {
	hist, err := keeper.GetHistory(w.e.db, id)
	require.NoError(w.e.t, err)
	var b strings.Builder
	for _, h := range hist {
		fmt.Fprintf(&b, "%d %s %s\n", h.Seq, at(h.Time), w.entry(h, h.Time))
	}
	return b.String()
}

// config prints a guardian set.
func (w *transcript) config(c types.GuardianConfig) string {
	if len(c.Guardians) == 0 {
		return "none"
	}
	return fmt.Sprintf("%s threshold %d delay %s", w.nameList(c.Guardians), c.Threshold, dur(c.Delay))
}

// material names a public key (multicodec form).
func (w *transcript) material(pk []byte) string {
	if n, ok := w.keyNames[string(pk)]; ok {
		return n
	}
	return "unknown key"
}

// method prints a verification method as its fragment, followed by the
// name of its key when that differs.
func (w *transcript) method(m types.VerificationMethod) string {
	if k := w.material(m.PublicKey); k != m.Id {
		return m.Id + "=" + k
	}
	return m.Id
}

// digests names the keys of a commitment.
func (w *transcript) digests(ds [][]byte) string {
	var names []string
	for _, d := range ds {
		name := "unknown key"
		for mc, n := range w.keyNames {
			pk, err := types.ParsePublicKey([]byte(mc))
			if err == nil && bytes.Equal(types.KeyDigest(pk), d) {
				name = n
			}
		}
		names = append(names, name)
	}
	sort.Strings(names)
	return strings.Join(names, ",")
}

func (w *transcript) name(did any) string {
	s := fmt.Sprint(did)
	if n, ok := w.names[s]; ok {
		return n
	}
	return s
}

func (w *transcript) nameList(dids []string) string {
	out := make([]string, len(dids))
	for i, d := range dids {
		out[i] = w.name(d)
	}
	return strings.Join(out, ",")
}

// replaceDIDs replaces every DID the transcript named in s by its name.
func (w *transcript) replaceDIDs(s string) string {
	for _, id := range w.sortedNames() {
		s = strings.ReplaceAll(s, id, w.names[id])
	}
	return s
}
