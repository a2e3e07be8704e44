package commands

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/custos-ledger/custos/cmd/custos/keyring"

	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

func newTxCmd(opts *options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tx",
		Short: "Show, sign and broadcast tx files: transactions signed on several machines",
		Long: `Every command that changes the ledger (custos did ..., guardians set,
recovery initiate|approve|cancel) takes --out FILE: it then writes the
transaction, signed by the keys this keyring holds (possibly none), to FILE
instead of broadcasting it. The file goes from machine to machine:

  custos tx show FILE       what the tx does, who signed, who still must
  custos tx sign FILE       add this keyring's signatures (shows the tx first)
  custos tx broadcast FILE  submit it and wait for its block

Who still has to sign comes from the ledger's own rules (the signer sets and
thresholds of the DID's version the tx builds on, the new keys that owe a
proof of possession, the guardian taking a recovery step). docs/tx-file.md
describes the file; docs/multiparty.md walks through a 3-of-5 rotation and a
guardian recovery across machines.`,
		Example: `  custos did rotate $DID --key-id key-1 --new-key-pub z6Mk... --out rotate.json
  custos tx show rotate.json
  custos tx sign rotate.json --signer officer-2
  custos tx broadcast rotate.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newTxShowCmd(opts), newTxSignCmd(opts), newTxBroadcastCmd(opts))
	return cmd
}

// readTxFile reads and strictly decodes a tx file ("-": standard input).
func readTxFile(cmd *cobra.Command, path string) (*txbuild.File, *types.TxBody, error) {
	var r io.Reader = cmd.InOrStdin()
	if path != "-" {
		fh, err := os.Open(path)
		if err != nil {
			return nil, nil, fmt.Errorf("cannot read tx file: %v", err)
		}
		defer fh.Close()
		r = fh
	}
	f, body, err := txbuild.DecodeFile(r)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %v", path, err)
	}
	return f, body, nil
}

func newTxShowCmd(opts *options) *cobra.Command {
	return &cobra.Command{
		Use:   "show FILE",
		Short: "Say what a tx file does, who signed it and who still has to",
		Long: `Show reads a tx file ('-': standard input) and says, without contacting a
node: the chain, the DID, the version the tx builds on, the operation and its
effect (keys added, removed or rotated, threshold, guardians, a recovery's
proposed keys and delay), each signature and whether it verifies, and what
is still missing, e.g. "needs 1 more of {#key-2, #key-3}", "proof of
possession owed by #key-4" or, for a create on an endorsed chain,
"endorsement owed by one of {did:custos:...#key-1}". It judges by the state the file was built on;
custos tx sign checks that state against the node before signing.`,
		Example: `  custos tx show rotate.json
  custos tx show rotate.json --output json | jq .missing`,
		Args: exactArgs("FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, body, err := readTxFile(cmd, args[0])
			if err != nil {
				return err
			}
			s := summarizeTx(f, body)
			return opts.print(cmd.OutOrStdout(), s, s.text())
		},
	}
}

func newTxSignCmd(opts *options) *cobra.Command {
	var node nodeFlags
	var kf keyringFlags
	var signers []string
	var out string
	cmd := &cobra.Command{
		Use:   "sign FILE [--signer NAME ...] [--out FILE]",
		Short: "Add this keyring's signatures to a tx file",
		Long: `Sign adds signatures by keys of this keyring to the tx file and writes it back
(or to --out). It first checks the file against the node: the chain must be
the node's (or --chain-id), the DID must still be at the version the tx
builds on, and the keys the file says it was built on must be the ledger's.
It then prints what the tx does (as custos tx show) to standard error, and
signs.

Each key signs as the fragment whose public key it is: in the DID's document
for a controller, in the tx's new keys for a create or a proof of
possession, in the guardian's document for a recovery step, in an
endorser's document for a create's endorsement (tx sign first takes the
ledger's current endorsers into the file; a key an endorser rotated or
revoked since is refused). --signer NAME
(repeatable) picks the keys; a key that is not a signer of this tx is
refused. Without --signer, every key of this keyring that the tx needs and
that has not signed yet signs.`,
		Example: `  custos tx sign rotate.json --signer officer-2
  custos tx sign recovery.json --signer bob --out recovery-signed.json`,
		Args: exactArgs("FILE"),
		RunE: explained(opts, func(cmd *cobra.Command, args []string) error {
			f, body, err := readTxFile(cmd, args[0])
			if err != nil {
				return err
			}
			kr, err := kf.open(cmd, opts.home)
			if err != nil {
				return err
			}
			l, err := node.connect(cmd)
			if err != nil {
				return err
			}
			recorded := f.Endorsement
			if err := checkAgainstLedger(cmd, l, f, body); err != nil {
				return err
			}
			s := summarizeTx(f, body)
			fmt.Fprint(cmd.ErrOrStderr(), s.text())
			if s.Refusal != "" {
				return fmt.Errorf("not signed: the ledger refuses this tx whoever signs it:\n  %s", strings.ReplaceAll(s.Refusal, "\n", "\n  "))
			}
			plan, err := txSigners(kr, s, signers, recorded, f.Endorsement)
			if err != nil {
				return err
			}
			ks := newKeySigner(kr)
			msg := types.SignBytes(f.Body)
			for _, p := range plan {
				sig, err := ks.sign(p.name, msg)
				if err != nil {
					return err
				}
				f.Signatures = append(f.Signatures, txbuild.FileSignature{VerificationMethod: p.url.String(), Signature: sig})
				fmt.Fprintf(cmd.ErrOrStderr(), "signed as %s with %s\n", keyRef(body.Did, p.url), p.name)
			}
			if out == "" {
				out = args[0]
			}
			if err := writeFile(out, f, cmd.OutOrStdout()); err != nil {
				return err
			}
			after := summarizeTx(f, body)
			if out == "-" {
				return nil
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s\n", out)
			var b strings.Builder
			if after.Complete {
				b.WriteString("complete: broadcast it with `custos tx broadcast " + out + "`\n")
			} else {
				b.WriteString("still missing:\n")
				for _, m := range after.Missing {
					b.WriteString("  " + m + "\n")
				}
			}
			return opts.print(cmd.OutOrStdout(), after, b.String())
		}),
	}
	node.register(cmd.Flags(), true)
	kf.register(cmd.Flags())
	cmd.Flags().StringArrayVar(&signers, "signer", nil, "keyring key NAME that signs; repeatable (default: every key of this keyring the tx still needs)")
	cmd.Flags().StringVar(&out, "out", "", "write the signed file here instead of over FILE ('-': standard output)")
	return cmd
}

// plannedTxSig is a keyring key and the key URL it signs a tx file as.
type plannedTxSig struct {
	name string
	url  types.URL
}

// txSigners chooses the keyring keys that sign: each --signer NAME as
// every key of the tx's requirement whose material is NAME's, or without
// --signer every keyring key the requirement names that has not signed yet.
//
// A create carries one endorsement at most (two are refused), so one key
// endorses it, and none once it is endorsed. recorded are the endorsers
// the file held before it was checked against the ledger, now those the
// ledger has: an endorser key that the ledger no longer holds is refused
// by name.
func txSigners(kr *keyring.Keyring, s *txSummary, names []string, recorded, now *txbuild.FileEndorsement) ([]plannedTxSig, error) {
	backend := kr.Backend()
	infos, err := kr.List()
	if err != nil {
		return nil, err
	}
	needed := requiredKeys(s.req)
	endorsers := endorserKeys(s.req)
	endorsed := slices.ContainsFunc(s.signed, func(k keeper.SignerKey) bool { return slices.Contains(endorsers, k) })
	var plan []plannedTxSig
	secondEndorsement := false
	add := func(name string, pk types.PublicKey) int {
		n := 0
		for _, k := range needed {
			if k.Key != pk {
				continue
			}
			n++
			if slices.Contains(s.signed, k) || slices.Contains(plan, plannedTxSig{name, k.URL}) {
				continue
			}
			if slices.Contains(endorsers, k) {
				if endorsed {
					secondEndorsement = true
					continue
				}
				endorsed = true
			}
			plan = append(plan, plannedTxSig{name, k.URL})
		}
		return n
	}
	if len(names) == 0 {
		for _, i := range infos {
			add(i.Name, i.PublicKey)
		}
		if len(plan) == 0 {
			return nil, fmt.Errorf("the %s keyring holds no key this tx still needs (it needs %s); name a key with --signer NAME, or sign where the keys are", backend, neededText(s.DID, needed))
		}
		return plan, nil
	}
	for _, name := range names {
		i := slices.IndexFunc(infos, func(i keyring.Info) bool { return i.Name == name })
		if i < 0 {
			return nil, fmt.Errorf("--signer %s: no such key in the %s keyring (`custos keys list` lists them)", name, backend)
		}
		if add(name, infos[i].PublicKey) > 0 {
			continue
		}
		if old, ok := formerEndorserKey(recorded, now, infos[i].PublicKey); ok {
			return nil, explain(types.ErrEndorserKey.Wrapf("--signer %s: key %s was endorser key %s when the tx file was written, and is no current capabilityInvocation key of an active endorser now (rotated or revoked): endorse with the endorser's current key (`custos resolve` shows it)", name, infos[i].PublicKey.Multibase(), old))
		}
		if len(endorsers) > 0 {
			return nil, explain(types.ErrEndorserKey.Wrapf("--signer %s: key %s is not a signer of this tx, nor a current capabilityInvocation key of an active endorser: it needs %s", name, infos[i].PublicKey.Multibase(), neededText(s.DID, needed)))
		}
		return nil, fmt.Errorf("--signer %s: key %s is not a signer of this tx: it needs %s", name, infos[i].PublicKey.Multibase(), neededText(s.DID, needed))
	}
	if len(plan) == 0 && secondEndorsement {
		return nil, errors.New("nothing to sign: the create is endorsed already, and the ledger refuses a second endorsement (excess_signatures)")
	}
	if len(plan) == 0 {
		return nil, errors.New("nothing to sign: the --signer keys have signed this tx already")
	}
	return plan, nil
}

// endorserKeys lists the keys of r's endorser set.
func endorserKeys(r keeper.Requirement) []keeper.SignerKey {
	for _, s := range r.Sets {
		if s.Role == "endorser" {
			return s.Keys
		}
	}
	return nil
}

// requiredKeys lists every key of r once, in order.
func requiredKeys(r keeper.Requirement) []keeper.SignerKey {
	var out []keeper.SignerKey
	for _, s := range r.Sets {
		for _, k := range s.Keys {
			if !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
	}
	for _, k := range r.Possession {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

func neededText(target string, keys []keeper.SignerKey) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = keyRef(target, k.URL) + " " + k.Key.Multibase()
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// checkAgainstLedger refuses a file for another chain than the node's (or
// --chain-id), a tx built on a version the DID has left, and a file whose
// recorded keys are not the ledger's.
func checkAgainstLedger(cmd *cobra.Command, l *ledger, f *txbuild.File, body *types.TxBody) error {
	ctx, cancel := l.context(cmd)
	defer cancel()
	chainID, err := l.ChainID(ctx)
	if err != nil {
		return err
	}
	if f.ChainID != chainID {
		return explain(types.ErrWrongChainID.Wrapf("the tx file is for chain %q, and this is %q: sign it against a node of %q (--node), or build the tx again on this chain", f.ChainID, chainID, f.ChainID))
	}
	id, err := parseDID(body.Did)
	if err != nil {
		return err
	}
	if _, create := body.Operation.(*types.TxBody_Create); create {
		// Nothing in the body pins the endorsers, so the file takes the
		// ledger's: they may have rotated their keys since it was written.
		now, err := ledgerEndorsement(ctx, l, id)
		if err != nil {
			return err
		}
		if !sameEndorsement(f.Endorsement, now) {
			fmt.Fprintf(cmd.ErrOrStderr(), "the endorsers changed since the tx file was written: %s; the file now records the ledger's\n", endorsementChange(f.Endorsement, now))
			f.Endorsement = now
		}
	}
	if f.BuiltOn != nil {
		res, err := l.Current(ctx, id)
		if err != nil {
			return err
		}
		if res.Head.Deactivated {
			return explain(types.ErrDeactivated.Wrapf("%s was deactivated at version %d", id, res.Head.Version))
		}
		if res.Head.Version != body.ExpectedVersion {
			return explain(types.ErrStaleVersion.Wrapf("the tx builds on version %d of %s, which is at version %d now (`custos history %s` shows what changed): build the tx again with --out and have it signed anew", body.ExpectedVersion, id, res.Head.Version, id))
		}
		now, err := txbuild.DIDState(id, res.Record.Version, &res.Record.Document)
		if err != nil {
			return err
		}
		if !now.Equal(f.BuiltOn) {
			return fmt.Errorf("the keys the tx file says %s had at version %d are not the ledger's: the file was altered or built against another chain; build the tx again", id, body.ExpectedVersion)
		}
	}
	if f.Guardian != nil {
		gid, err := parseDID(f.Guardian.DID)
		if err != nil {
			return err
		}
		res, err := l.Current(ctx, gid)
		if err != nil {
			return err
		}
		now, err := txbuild.DIDState(gid, res.Record.Version, &res.Record.Document)
		if err != nil {
			return err
		}
		if res.Head.Deactivated || !now.Equal(f.Guardian) {
			return explain(types.ErrStaleVersion.Wrapf("guardian %s has changed since the tx was built (now at version %d, the file has version %d): build the tx again", gid, res.Head.Version, f.Guardian.Version))
		}
	}
	return nil
}

func newTxBroadcastCmd(opts *options) *cobra.Command {
	var node nodeFlags
	cmd := &cobra.Command{
		Use:   "broadcast FILE",
		Short: "Submit a signed tx file and wait for its block",
		Long: `Broadcast submits the tx of FILE to --node as it is (its body bytes are the
bytes signed), waits for its block and prints the DID, its new versionId, the
block height and the tx hash, as the other tx commands do. When the ledger
refuses the tx (threshold_not_met: not enough signatures, stale_version: the
DID moved on, ...), it exits non-zero with the error's name and a hint. A
create on a chain that asks for a proof-of-work stamp gets it here (it covers
the body, not the signatures: docs/write-policy.md).`,
		Example: `  custos tx broadcast rotate.json`,
		Args:    exactArgs("FILE"),
		RunE: explained(opts, func(cmd *cobra.Command, args []string) error {
			f, body, err := readTxFile(cmd, args[0])
			if err != nil {
				return err
			}
			l, err := node.connect(cmd)
			if err != nil {
				return err
			}
			id, err := parseDID(body.Did)
			if err != nil {
				return err
			}
			if node.chainID != "" && node.chainID != f.ChainID {
				return explain(types.ErrWrongChainID.Wrapf("the tx file is for chain %q, --chain-id says %q", f.ChainID, node.chainID))
			}
			tx, err := f.Tx()
			if err != nil {
				return err
			}
			if tx, err = stampIfNeeded(cmd, l, body, tx); err != nil {
				return err
			}
			ctx, cancel := l.context(cmd)
			defer cancel()
			c, err := l.submit(ctx, tx)
			if err != nil {
				return err
			}
			e := &didEnv{cmd: cmd, opts: opts, l: l}
			return e.printEvent(id, c, nil, nil, nil)
		}),
	}
	node.register(cmd.Flags(), true)
	return cmd
}
