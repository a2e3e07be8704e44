package commands

import (
	"errors"
	"fmt"
	"strings"

	"github.com/custos-ledger/custos/x/did/types"
)

// hints says, for every registered error, what the user should do about
// it. It is keyed by the error's name; a test requires an entry for every
// code in types.AllErrors and no entry for a name that is not registered.
func hints() map[string]string {
	return map[string]string{
		"malformed_tx":                     "the node could not decode what custos sent: check that the CLI and the node run the same version (`custos version`)",
		"non_canonical_encoding":           "the node and this CLI disagree on the encoding: check that both run the same version (`custos version`)",
		"tx_too_large":                     "make the change smaller: fewer keys or services per update, or a shorter --memo",
		"wrong_chain_id":                   "the transaction was signed for another chain: drop --chain-id to use the node's own, or point --node at the right chain",
		"invalid_did":                      "a DID is did:custos: followed by 21 or 22 base58 characters; copy it again from `custos did create` or `custos resolve`",
		"invalid_did_url":                  "a key reference is did:custos:<id>#<fragment>, e.g. did:custos:...#key-1",
		"invalid_fragment":                 "a fragment is 1 to 64 characters from A-Z a-z 0-9 - . _ ~, e.g. key-2",
		"invalid_public_key":               "the key material is malformed or weak (a point of small order): create the key again with `custos keys add`",
		"unsupported_key_type":             "use Ed25519 (the default of `custos keys add`), P-256 (--type p256) or secp256k1 keys to sign, and X25519 keys (--type x25519) for keyAgreement only",
		"invalid_document":                 "the resulting document breaks a rule named in the detail: keep at least one capabilityInvocation key and a --threshold between 1 and their number (docs/did-method.md lists the rules)",
		"limit_exceeded":                   "the chain's genesis limits cap keys, services, endpoint sizes and signatures: remove something first or split the change",
		"no_operation":                     "the transaction carried no operation: this is a bug in custos, please report it",
		"invalid_operation":                "check the command's flags against the detail and `--help`",
		"did_mismatch":                     "the DID is not the one its inception derives: this is a bug in custos or a tampered transaction; build it again with `custos did create`",
		"did_exists":                       "a DID with exactly this initial document is registered already: resolve it with `custos resolve`; for another DID use other keys",
		"did_not_found":                    "check the DID, and that --node points at the chain it lives on; a new DID exists once its create is committed",
		"stale_version":                    "the DID changed since it was read; run the command again (check the change with `custos history DID` first)",
		"deactivated":                      "a deactivated DID can never change again; create a new DID with `custos did create`",
		"bad_signature":                    "a signature does not verify under the key its fragment names: check each --signer NAME=FRAGMENT, and that the keyring holds the DID's current keys (`custos resolve DID`)",
		"unknown_signer":                   "sign only with signing keys of this DID: `custos resolve DID` lists them; choose them with --signer NAME",
		"too_many_signatures":              "sign with fewer keys: pass only as many --signer keys as the threshold needs",
		"threshold_not_met":                "the DID needs more of its capabilityInvocation keys to sign: pass --signer NAME for each, up to its threshold (the detail says how many)",
		"missing_proof_of_possession":      "every new signing key must sign too: keep it in this keyring and custos signs with it; a key held elsewhere must be imported first (`custos keys import`)",
		"would_lose_control":               "the DID must keep at least threshold capabilityInvocation keys: add a replacement first (`custos did update --add-key`), rotate instead (`custos did rotate`, with --compromised if the key was stolen), lower --threshold, or deactivate the DID if that is the intent",
		"key_not_found":                    "the DID has no key with that fragment: `custos resolve DID` lists its keys",
		"key_type_mismatch":                "rotate a signing key to a signing key (ed25519 or p256) and a keyAgreement key to an x25519 key (`custos keys add NAME --type ...`)",
		"duplicate_key":                    "that key material is in the document already: use a fresh key (`custos keys add`) for each verification method",
		"memo_too_large":                   "shorten --memo",
		"invalid_time":                     "give --compromised-since in RFC 3339, not in the future, e.g. 2025-01-02T15:04:05Z",
		"node_unavailable":                 "the node is starting or could not read its store: wait a moment and try again, or use another --node",
		"not_guardian":                     "only a guardian of the DID can initiate, approve or vote as one: `custos recovery status DID` lists its guardians; check --guardian",
		"guardian_inactive":                "a guardian must be a registered, active DID: check it with `custos resolve GUARDIAN`, and replace a deactivated one with `custos guardians set`",
		"invalid_guardians":                "give distinct guardian DIDs other than the DID itself, a --threshold from 1 to their number and a --delay of at least the chain's recovery_min_delay; --none removes every guardian",
		"recovery_not_found":               "the DID has no pending recovery with that id: it may have executed, expired or been cancelled; `custos recovery status DID` lists the pending ones, `custos history DID` what became of the others",
		"recovery_expired":                 "the recovery did not get enough approvals in time: a guardian must start a new one with `custos recovery initiate`",
		"already_counted":                  "this guardian (or the owner) has already approved or voted on that recovery; nothing more to do (`custos recovery status DID` shows the votes)",
		"recovery_pending":                 "this guardian already has a pending recovery of the DID: approve or wait for that one (`custos recovery status DID`); a guardian has one at a time",
		"pre_rotation_violation":           "the DID has committed to its next keys: a change of its controller keys must reveal exactly those keys, be signed by them and commit anew (--next-key NAME, a fresh key to keep offline, e.g. from `custos keys add NAME-next`); other changes keep the commitment; deactivation needs --reveal-key",
		"invalid_memo":                     "write the --memo as plain text on one line: no control characters, line breaks, or bidirectional and other invisible formatting characters",
		"already_compromised":              "the key is already recorded as compromised from that time or earlier: nothing to do (`custos history DID` shows when)",
		"block_write_limit":                "the block was full: run the command again, and the transaction goes into a later block",
		"duplicate_tx":                     "the same transaction is already in the block and applies once: nothing to do (`custos history DID` shows it)",
		"key_compromised":                  "this key was recorded as compromised for the DID and can never return to it: generate a new key (`custos keys add`) and use that",
		"malformed_query":                  "custos sent a query the node does not answer: check that the CLI and the node run the same version (`custos version`)",
		"no_governance":                    "this network's genesis names no governance DID, so its validator set and upgrades cannot change; a network that needs them is made with a governance section in its genesis (docs/network.md)",
		"not_governance":                   "governance operations target the governance DID and are signed by its keys: check --signer, and `custos validators list` for the governance DID",
		"validator_change_limit":           "another validator change is in this block: run the command again, and it goes into a later block",
		"validator_power_change_too_large": "move less than a third of the total power at once: change it in several steps, one per block (`custos validators list` shows the powers)",
		"validator_set_too_small":          "the set may not drop below the genesis min_validators: add a validator first (`custos validators add`)",
		"validator_exists":                 "this consensus key is a validator already: change its power with `custos validators set-power`",
		"validator_not_found":              "this consensus key is not a validator: `custos validators list` shows the set and its keys",
		"invalid_validator_key":            "a consensus key is the 32-byte Ed25519 key in base64 that `custos validators pop --home NODE` prints",
		"invalid_validator_possession":     "run `custos validators pop --home NODE` on the new validator's machine and pass its --info file (or its --pop) unchanged",
		"invalid_validator_power":          "give a power above 0 (and the set's total within CometBFT's maximum)",
		"invalid_upgrade":                  "name the upgrade as the release that knows it registers it: 1 to 64 of a-z 0-9 . _ -, e.g. v0.2.0",
		"upgrade_too_soon":                 "choose a height at least 20 blocks after the current one, and in practice far enough for every operator to install the release (`custos upgrade show` prints the current height)",
		"upgrade_pending":                  "one upgrade stands at a time: `custos upgrade show` names it; cancel it first with `custos upgrade cancel --name NAME`",
		"upgrade_name_used":                "every upgrade gets a new name: the release names its migration anew, e.g. v0.2.1",
		"upgrade_not_scheduled":            "`custos upgrade show` names the standing upgrade, if any; cancel that name",
		"guardians_locked":                 "a recovery of the DID is pending: `custos recovery status DID` shows it; cancel it (`custos recovery cancel`) or wait until it executes or expires, then change the guardians",
		"stale_guardians":                  "the guardian set changed since the transaction was built; run the command again (`custos recovery status DID` shows the guardians now)",
		"wrong_recovery_id":                "another recovery of the DID was opened since the transaction was built; run the command again (`custos recovery status DID` lists the pending ones)",
		"high_s_signature":                 "an ECDSA signature must have a low s: sign with `custos` (which normalises it), or replace s by n - s in the signature from your device or library",
		"uncompressed_public_key":          "give the P-256 or secp256k1 key compressed (33 bytes: 0x02 or 0x03, then x; its Multikey starts zDn or zQ3s); `custos keys show NAME` prints it so",
		"invalid_restore_version":          "name a version the DID has reached with --restore-version (`custos history DID` lists them), or leave it out to restore the current one",
		"stamp_missing":                    "this chain prices a create with a proof-of-work stamp: `custos did create` computes it (a few seconds); a transaction built elsewhere needs one too (docs/write-policy.md)",
		"stamp_too_weak":                   "the stamp was made for a lower difficulty than this chain's stamp_difficulty: build the create again with `custos did create` against this chain",
		"stamp_invalid":                    "the stamp does not fit this transaction (made for another body or chain, or changed): compute it again over this exact body; only a create carries a stamp",
		"not_endorsed":                     "this chain admits creates endorsed by one of its endorsers: have an endorser co-sign (`custos did create --endorser NAME` with the endorser's key, or `--out FILE` and `custos tx sign FILE --signer NAME` on the endorser's machine); the genesis file lists them (app_state.params.endorsers)",
		"endorser_inactive":                "the endorser DID named is not registered or is deactivated: ask another endorser of the chain",
		"endorser_key_invalid":             "the endorser must sign with one of its current capabilityInvocation keys: `custos resolve ENDORSER` lists them",
		"rate_limited":                     "the DID has used its operations for now: wait until the time the detail names and run the command again; recovery and pre-rotation reveals are never limited",
		"excess_signatures":                "drop the extra signatures: a key counts once, so sign at most once with each key of the DID (and one endorser key on a create)",
	}
}

// refusal is a registered error explained for a person: what went wrong,
// what it means and what to do. It is how the CLI reports every refusal by
// the ledger, and the checks it makes with the ledger's own rules before
// sending.
type refusal struct {
	Name      string `json:"name"`
	Code      uint32 `json:"code"`
	Codespace string `json:"codespace"`
	Detail    string `json:"detail"`
	Meaning   string `json:"meaning,omitempty"`
	Hint      string `json:"hint,omitempty"`
	TxHash    string `json:"txHash,omitempty"`
	Height    int64  `json:"height,omitempty"`
}

// Error starts with the error's name, so scripts can match the first word,
// then explains it on indented lines.
func (r *refusal) Error() string {
	var b strings.Builder
	b.WriteString(r.Name)
	if r.Detail != "" {
		b.WriteString(": " + r.Detail)
	}
	if r.Meaning != "" && r.Meaning != r.Detail {
		b.WriteString("\n  meaning: " + r.Meaning)
	}
	if r.Hint != "" {
		b.WriteString("\n  hint:    " + r.Hint)
	}
	if r.TxHash != "" {
		fmt.Fprintf(&b, "\n  tx:      %s (refused in block %d)", r.TxHash, r.Height)
	}
	return b.String()
}

// explainRegistered turns a registered error into a refusal.
func explainRegistered(e *types.Error, detail string) *refusal {
	return &refusal{Name: e.Name, Code: e.Code, Codespace: types.Codespace, Detail: detail,
		Meaning: e.Description, Hint: hints()[e.Name]}
}

// fromABCI explains a result code and log of CheckTx, FinalizeBlock or
// Query.
func fromABCI(code uint32, codespace, log string) *refusal {
	if e := types.ErrorByCode(code); e != nil && codespace == types.Codespace {
		return explainRegistered(e, strings.TrimPrefix(log, e.Name+": "))
	}
	return &refusal{Name: "refused", Code: code, Codespace: codespace, Detail: log,
		Hint: fmt.Sprintf("the node refused it with code %d in codespace %q, which is not a Custos error: check that --node is a Custos node", code, codespace)}
}

// explain returns err as a refusal when it is a registered error, and err
// itself otherwise.
func explain(err error) error {
	var r *refusal
	if err == nil || errors.As(err, &r) {
		return err
	}
	if e := types.Registered(err); e != nil {
		return explainRegistered(e, types.Detail(err))
	}
	return err
}
