package commands

import (
	"fmt"
	"slices"
	"strings"

	"github.com/custos-ledger/custos/x/did/didjson"
	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// txSummary is what `custos tx show` says of a tx file: what the tx does,
// who signed it, and who still has to (keeper.Requirements, the ledger's
// own rules, on the state the file was built on).
type txSummary struct {
	ChainID         string       `json:"chainId"`
	DID             string       `json:"did"`
	ExpectedVersion uint64       `json:"expectedVersion"`
	Operation       string       `json:"operation"`
	Effect          []string     `json:"effect"`
	Signatures      []sigSummary `json:"signatures"`
	Missing         []string     `json:"missing"`
	// Refusal is set when the ledger refuses the tx whoever signs it.
	Refusal  string `json:"refusal,omitempty"`
	Complete bool   `json:"complete"`

	req keeper.Requirement
	// signed are the keys whose signatures verify and count.
	signed []keeper.SignerKey
}

// sigSummary is one signature of a tx file.
type sigSummary struct {
	VerificationMethod string `json:"verificationMethod"`
	Verifies           bool   `json:"verifies"`
	// CountsFor says what the signature counts for: a signer set's role,
	// "proof of possession", or "" (it does not count; Note says why).
	CountsFor []string `json:"countsFor"`
	Note      string   `json:"note,omitempty"`
}

// requirementState is the state a file's tx was built on, as
// keeper.Requirements reads it.
func requirementState(f *txbuild.File) (keeper.RequirementState, error) {
	var st keeper.RequirementState
	if f.BuiltOn != nil {
		_, doc, err := f.BuiltOn.Document()
		if err != nil {
			return st, err
		}
		st.Current = &doc
	}
	if f.Guardian != nil {
		_, doc, err := f.Guardian.Document()
		if err != nil {
			return st, err
		}
		st.Guardian = &doc
	}
	if f.Endorsement != nil {
		for i := range f.Endorsement.Endorsers {
			id, doc, err := f.Endorsement.Endorsers[i].Document()
			if err != nil {
				return st, err
			}
			st.Endorsers = append(st.Endorsers, keeper.Endorser{DID: id, Document: &doc})
		}
	}
	return st, nil
}

// summarizeTx says what the tx of f does, who signed it and what it lacks.
func summarizeTx(f *txbuild.File, body *types.TxBody) *txSummary {
	s := &txSummary{ChainID: f.ChainID, DID: body.Did, ExpectedVersion: body.ExpectedVersion,
		Operation: operationName(body), Signatures: []sigSummary{}, Missing: []string{}}
	var cur *types.Document
	st, err := requirementState(f)
	if err == nil {
		cur = st.Current
		s.req, err = keeper.Requirements(body, st)
	}
	s.Effect = effect(body, cur, f.Guardians)
	if err == nil && f.Endorsement != nil && len(f.Endorsement.Endorsers) == 0 {
		err = types.ErrNotEndorsed.Wrap("this chain's creates are endorsed, and none of its endorsers is registered and active: a create waits for its first endorser")
	}
	if err != nil {
		s.Refusal = explain(err).Error()
	}
	msg := types.SignBytes(f.Body)
	endorsements := 0
	for _, sig := range f.Signatures {
		ss := sigSummary{VerificationMethod: sig.VerificationMethod, CountsFor: []string{}}
		u, _ := types.ParseURL(sig.VerificationMethod) // DecodeFile checked it
		cands := s.req.Candidates(u)
		for _, k := range cands {
			if k.Verify(msg, sig.Signature) {
				ss.Verifies = true
				sk := keeper.SignerKey{URL: u, Key: k}
				s.signed = append(s.signed, sk)
				ss.CountsFor = roles(s.req, sk)
				break
			}
		}
		endorses := slices.ContainsFunc(ss.CountsFor, func(r string) bool { return strings.HasPrefix(r, "endorsement by ") })
		switch {
		case endorses && endorsements > 0:
			ss.Note = "a second endorsement: the ledger refuses a create with two (excess_signatures)"
			endorsements++
		case endorses:
			endorsements++
		case len(cands) == 0:
			ss.Note = "names no key this tx needs: the ledger may refuse it (unknown_signer)"
		case !ss.Verifies:
			ss.Note = "does not verify: the ledger refuses the tx with it (bad_signature)"
		}
		s.Signatures = append(s.Signatures, ss)
	}
	if s.Refusal == "" {
		for _, m := range s.req.Missing(s.signed) {
			s.Missing = append(s.Missing, shortfallText(body.Did, m))
		}
		s.Complete = len(s.Missing) == 0 && endorsements <= 1
		for _, ss := range s.Signatures {
			if ss.Note != "" && !ss.Verifies {
				s.Complete = false
			}
		}
	}
	return s
}

// roles says what sk counts for in r.
func roles(r keeper.Requirement, sk keeper.SignerKey) []string {
	out := []string{}
	for _, set := range r.Sets {
		for _, k := range set.Keys {
			if k == sk {
				name := setName(set)
				if set.Role == "endorser" {
					name = "endorsement by " + sk.URL.ID.String()
				}
				out = append(out, name)
				break
			}
		}
	}
	for _, k := range r.Possession {
		if k == sk {
			out = append(out, "proof of possession")
		}
	}
	return out
}

// setName names a signer set: "controllers", "committed next keys", or
// "guardian did:custos:...".
func setName(s keeper.SignerSet) string {
	if s.Role == "guardian" {
		return "guardian " + s.DID.String()
	}
	return s.Role
}

// keyRef renders a key URL relative to the target DID: "#key-2", or the
// whole URL for another DID's key.
func keyRef(target string, u types.URL) string {
	if u.ID.String() == target {
		return "#" + u.Fragment
	}
	return u.String()
}

// shortfallText says what is missing in words: "needs 1 more of {#key-2,
// #key-3} (controllers, threshold 2)", "proof of possession owed by #key-4
// (z6Mk...)".
func shortfallText(target string, m keeper.Shortfall) string {
	if m.Possession != nil {
		return fmt.Sprintf("proof of possession owed by %s (%s)", keyRef(target, m.Possession.URL), m.Possession.Key.Multibase())
	}
	refs := make([]string, len(m.Unsigned))
	for i, k := range m.Unsigned {
		refs[i] = keyRef(target, k.URL)
	}
	if m.Set.Role == "endorser" {
		return fmt.Sprintf("endorsement owed by one of {%s} (an endorser's current capabilityInvocation key)", strings.Join(refs, ", "))
	}
	return fmt.Sprintf("needs %d more of {%s} (%s, threshold %d)", m.Set.Threshold-m.Have, strings.Join(refs, ", "), setName(*m.Set), m.Set.Threshold)
}

// text renders the summary for people.
func (s *txSummary) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "chain:      %s\n", s.ChainID)
	fmt.Fprintf(&b, "DID:        %s\n", s.DID)
	if s.Operation == "create" {
		fmt.Fprintf(&b, "builds on:  nothing (a create)\n")
	} else {
		fmt.Fprintf(&b, "builds on:  version %d (the ledger refuses it once the DID has moved on)\n", s.ExpectedVersion)
	}
	fmt.Fprintf(&b, "operation:  %s\n", s.Operation)
	for i, e := range s.Effect {
		label := "effect:     "
		if i > 0 {
			label = "            "
		}
		b.WriteString(label + e + "\n")
	}
	fmt.Fprintf(&b, "signatures: %d\n", len(s.Signatures))
	for _, sig := range s.Signatures {
		u, _ := types.ParseURL(sig.VerificationMethod)
		state := "verifies"
		if !sig.Verifies {
			state = "DOES NOT VERIFY"
		}
		line := fmt.Sprintf("  %s  %s", keyRef(s.DID, u), state)
		if len(sig.CountsFor) > 0 {
			line += ", counts for " + strings.Join(sig.CountsFor, " and ")
		}
		if sig.Note != "" {
			line += "; " + sig.Note
		}
		b.WriteString(line + "\n")
	}
	switch {
	case s.Refusal != "":
		b.WriteString("refused:    the ledger refuses this tx whoever signs it:\n  " + strings.ReplaceAll(s.Refusal, "\n", "\n  ") + "\n")
	case s.Complete:
		b.WriteString("missing:    nothing: ready to broadcast (custos tx broadcast FILE)\n")
	default:
		b.WriteString("missing:\n")
		for _, m := range s.Missing {
			b.WriteString("  " + m + "\n")
		}
	}
	return b.String()
}

// operationName is the operation's name as history shows it.
func operationName(body *types.TxBody) string {
	switch body.Operation.(type) {
	case *types.TxBody_Create:
		return "create"
	case *types.TxBody_Update:
		return "update"
	case *types.TxBody_RotateKey:
		return "rotateKey"
	case *types.TxBody_RevokeKey:
		return "revokeKey"
	case *types.TxBody_Deactivate:
		return "deactivate"
	case *types.TxBody_SetGuardians:
		return "setGuardians"
	case *types.TxBody_RecoveryInitiate:
		return "recoveryInitiate"
	case *types.TxBody_RecoveryApprove:
		return "recoveryApprove"
	case *types.TxBody_RecoveryCancel:
		return "recoveryCancel"
	case *types.TxBody_AddValidator:
		return "addValidator"
	case *types.TxBody_SetValidatorPower:
		return "setValidatorPower"
	case *types.TxBody_RemoveValidator:
		return "removeValidator"
	case *types.TxBody_ScheduleUpgrade:
		return "scheduleUpgrade"
	case *types.TxBody_CancelUpgrade:
		return "cancelUpgrade"
	case *types.TxBody_SetWritePolicy:
		return "setWritePolicy"
	}
	return fmt.Sprintf("%T", body.Operation)
}

// methodText renders a verification method with its relationships:
// "#key-1 z6Mk... (capabilityInvocation, authentication)".
func methodText(doc *types.Document, vm types.VerificationMethod) string {
	s := "#" + vm.Id
	if pk, err := types.ParsePublicKey(vm.PublicKey); err == nil {
		s += " " + pk.Multibase()
	}
	var rels []string
	for _, r := range types.Relationships() {
		if doc.Has(r, vm.Id) {
			rels = append(rels, r.JSONName())
		}
	}
	if len(rels) > 0 {
		s += " (" + strings.Join(rels, ", ") + ")"
	}
	return s
}

func multibaseOf(b []byte) string {
	if pk, err := types.ParsePublicKey(b); err == nil {
		return pk.Multibase()
	}
	return "(malformed key)"
}

// documentEffect lists what a whole document (a create's, an update's
// result) holds, and what an update changes in the keys of cur.
func documentEffect(doc *types.Document, cur *types.Document) []string {
	var out []string
	for _, vm := range doc.VerificationMethods {
		prefix := "key "
		if cur != nil {
			old, had := cur.Method(vm.Id)
			switch {
			case !had:
				prefix = "adds key "
			case string(old.PublicKey) != string(vm.PublicKey):
				prefix = "rotates key (was " + multibaseOf(old.PublicKey) + ") "
			default:
				prefix = "keeps key "
			}
		}
		out = append(out, prefix+methodText(doc, vm))
	}
	if cur != nil {
		for _, vm := range cur.VerificationMethods {
			if _, kept := doc.Method(vm.Id); !kept {
				out = append(out, "removes key #"+vm.Id+" "+multibaseOf(vm.PublicKey))
			}
		}
	}
	th := fmt.Sprintf("threshold %d of %d capabilityInvocation keys", doc.Threshold, len(doc.CapabilityInvocation))
	if cur != nil && cur.Threshold != doc.Threshold {
		th += fmt.Sprintf(" (was %d)", cur.Threshold)
	}
	out = append(out, th)
	for _, svc := range doc.Services {
		out = append(out, fmt.Sprintf("service #%s %s %s", svc.Id, svc.Type, svc.Endpoint))
	}
	out = append(out, nextKeysText(doc.NextKeys, cur))
	return out
}

func nextKeysText(n *types.NextKeys, cur *types.Document) string {
	switch {
	case n == nil:
		return "no pre-rotation commitment"
	case cur != nil && types.NextKeysEqual(n, cur.NextKeys):
		return fmt.Sprintf("keeps its commitment to %d next key(s), threshold %d", len(n.Digests), n.Threshold)
	}
	return fmt.Sprintf("commits to %d next key(s), threshold %d (pre-rotation)", len(n.Digests), n.Threshold)
}

// effect says in words what body does to cur (nil for a create).
func effect(body *types.TxBody, cur *types.Document, gs *txbuild.FileGuardians) []string {
	switch op := body.Operation.(type) {
	case *types.TxBody_Create:
		return append([]string{"creates " + body.Did}, documentEffect(&op.Create.Document, nil)...)
	case *types.TxBody_Update:
		return documentEffect(&op.Update.Document, cur)
	case *types.TxBody_RotateKey:
		r := op.RotateKey
		old := "(not in the version it builds on)"
		if cur != nil {
			if vm, ok := cur.Method(r.KeyId); ok {
				old = multibaseOf(vm.PublicKey)
			}
		}
		out := []string{fmt.Sprintf("replaces key #%s %s with %s, keeping its relationships", r.KeyId, old, multibaseOf(r.NewPublicKey)),
			"the old key is recorded as " + recordedAs(r.Compromised, r.CompromisedSince)}
		if r.NextKeys != nil {
			out = append(out, nextKeysText(r.NextKeys, nil))
		}
		return out
	case *types.TxBody_RevokeKey:
		r := op.RevokeKey
		compromised := r.Reason == types.REVOCATION_REASON_COMPROMISED
		if len(r.PublicKey) > 0 {
			return []string{fmt.Sprintf("records the earlier key %s of #%s as %s", multibaseOf(r.PublicKey), r.KeyId, recordedAs(compromised, r.CompromisedSince))}
		}
		return []string{fmt.Sprintf("removes key #%s from the document and every relationship, recorded as %s", r.KeyId, recordedAs(compromised, r.CompromisedSince))}
	case *types.TxBody_Deactivate:
		out := []string{"deactivates " + body.Did + " for good: no operation on it will ever succeed again"}
		for _, vm := range op.Deactivate.Reveal {
			out = append(out, "reveals committed next key #"+vm.Id+" "+multibaseOf(vm.PublicKey))
		}
		return out
	case *types.TxBody_SetGuardians:
		g := op.SetGuardians
		if len(g.Guardians) == 0 {
			return []string{"removes every guardian (after the current delay, if it has guardians)"}
		}
		out := []string{fmt.Sprintf("sets %d guardian(s), %d of whom must approve a recovery, with a delay of %s", len(g.Guardians), g.Threshold, durationText(g.Delay))}
		for _, d := range g.Guardians {
			out = append(out, "guardian "+d)
		}
		return out
	case *types.TxBody_RecoveryInitiate:
		r := op.RecoveryInitiate
		out := []string{fmt.Sprintf("guardian %s opens recovery %d: the DID's capabilityInvocation keys are to be replaced by", r.Guardian, r.RecoveryId)}
		for _, vm := range r.NewKeys {
			out = append(out, "  new key #"+vm.Id+" "+multibaseOf(vm.PublicKey))
		}
		out = append(out, fmt.Sprintf("threshold %d; restores version %d", r.Threshold, r.RestoreVersion))
		if r.NextKeys != nil {
			out = append(out, nextKeysText(r.NextKeys, nil))
		}
		if r.Compromised {
			out = append(out, "every key it removes is recorded as "+recordedAs(true, r.CompromisedSince))
		}
		if gs != nil {
			out = append(out, fmt.Sprintf("it executes %s after %d of the %d guardians approved, unless cancelled meanwhile", durationText(gs.Delay), gs.Threshold, len(gs.Guardians)))
		}
		return out
	case *types.TxBody_RecoveryApprove:
		r := op.RecoveryApprove
		return []string{fmt.Sprintf("guardian %s approves recovery %d", r.Guardian, r.RecoveryId)}
	case *types.TxBody_RecoveryCancel:
		r := op.RecoveryCancel
		if r.Guardian == "" {
			return []string{fmt.Sprintf("the owner votes to cancel recovery %d", r.RecoveryId)}
		}
		return []string{fmt.Sprintf("guardian %s votes to cancel recovery %d", r.Guardian, r.RecoveryId)}
	}
	return []string{"unknown operation"}
}

func recordedAs(compromised bool, since int64) string {
	switch {
	case !compromised:
		return "retired"
	case since != 0:
		return "compromised since " + didjson.FormatTime(since)
	}
	return "compromised"
}
