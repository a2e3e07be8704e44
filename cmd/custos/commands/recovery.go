package commands

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/custos-ledger/custos/x/did/didjson"
	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

func newRecoveryCmd(opts *options) *cobra.Command {
	f := &didFlags{}
	cmd := &cobra.Command{
		Use:   "recovery",
		Short: "Recover a DID through its guardians, or cancel a recovery",
		Long: `A guardian proposes new controller keys for a DID (initiate); once enough
guardians approved (approve), the recovery executes automatically when its
delay has run out: the DID's capabilityInvocation keys are replaced by the
proposed ones. Until then the owner can see it (status, history) and vote to
cancel it (cancel); a cancel needs ⌈(n+1)/2⌉ votes of the owner and the n
guardians. See docs/recovery.md.

Guardians sign with their own DID's controller keys (--signer picks them);
the proposed keys sign the initiation too (proof of possession). When they
are on different machines (the owner's new key on a new laptop, the
guardian's key elsewhere), build the step with --out FILE and pass the file
round: custos tx sign FILE on each machine, then custos tx broadcast FILE
(docs/multiparty.md).`,
		Example: `  custos recovery initiate $DID --guardian $BOB --new-key alice-new --signer bob
  custos recovery approve $DID --id 1 --guardian $CAROL --signer carol
  custos recovery status $DID
  custos recovery cancel $DID --id 1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	pf := cmd.PersistentFlags()
	f.node.register(pf, true)
	f.keyring.register(pf)
	pf.StringVar(&f.memo, "memo", "", "a note recorded with the step in the DID's history (public)")
	cmd.AddCommand(
		newRecoveryInitiateCmd(opts, f),
		newRecoveryApproveCmd(opts, f),
		newRecoveryCancelCmd(opts, f),
		newRecoveryStatusCmd(opts, f),
	)
	return cmd
}

// guardianFlags are the flags of a step taken by a guardian.
type guardianFlags struct {
	guardian        string
	signers         []string
	expectedVersion uint64
}

func (g *guardianFlags) register(fs *pflag.FlagSet, required bool) {
	usage := "the guardian DID taking this step (required)"
	if !required {
		usage = "vote as this guardian DID; without it, the vote is the owner's (the DID's controller keys sign)"
	}
	fs.StringVar(&g.guardian, "guardian", "", usage)
	fs.StringArrayVar(&g.signers, "signer", nil,
		"keyring key that signs as a controller of the guardian DID (of the DID itself for an owner's vote), NAME or NAME=FRAGMENT; repeatable (default: the keyring's keys of that DID, as many as its threshold)")
	fs.Uint64Var(&g.expectedVersion, "expected-version", 0,
		"build on this versionId of the DID instead of the latest (stale_version if it has moved on)")
}

// guardianSigners reads the guardian DID and chooses its signers.
func (g *guardianFlags) guardianSigners(e *didEnv) (types.ID, []plannedSigner, error) {
	gid, err := parseDID(g.guardian)
	if err != nil {
		return types.ID{}, nil, err
	}
	ctx, cancel := e.l.context(e.cmd)
	defer cancel()
	res, err := e.l.Current(ctx, gid)
	var r *refusal
	if errors.As(err, &r) && r.Name == types.ErrDIDNotFound.Name {
		return types.ID{}, nil, explain(types.ErrGuardianInactive.Wrapf("guardian %s is not registered on this chain", gid))
	}
	if err != nil {
		return types.ID{}, nil, err
	}
	if res.Head.Deactivated {
		return types.ID{}, nil, explain(types.ErrGuardianInactive.Wrapf("guardian %s was deactivated at version %d", gid, res.Head.Version))
	}
	signers, err := e.partial(controllerSigners(e.kr, gid, &res.Record.Document, nil, g.signers, ""))
	if err != nil {
		return types.ID{}, nil, err
	}
	for i := range signers {
		signers[i].did = gid
	}
	if e.guardian, err = txbuild.DIDState(gid, res.Record.Version, &res.Record.Document); err != nil {
		return types.ID{}, nil, err
	}
	return gid, signers, nil
}

func newRecoveryInitiateCmd(opts *options, f *didFlags) *cobra.Command {
	g := &guardianFlags{}
	nk := &nextKeyFlags{}
	var newKeys []keySpec
	var threshold uint32
	var restoreVersion uint64
	var compromised bool
	var since string
	cmd := &cobra.Command{
		Use:   "initiate DID --guardian GUARDIAN_DID --new-key NAME[=FRAGMENT]|--new-key-pub MULTIBASE[=FRAGMENT] [...] [--restore-version N] [--compromised [--compromised-since TIME]]",
		Short: "As a guardian, propose new controller keys for a DID",
		Long: `Initiate opens a recovery of DID, proposed by the guardian GUARDIAN_DID: the
DID's capabilityInvocation keys are to be replaced by the --new-key keys
(which also become authentication keys), with --threshold M (default 1) and,
with --next-key, a new pre-rotation commitment.

The guardian's controller keys sign (--signer picks them), and so does every
proposed key, to prove that whoever asked for the recovery holds it. A key
held on another machine is given by its public key (--new-key-pub); with
--out FILE the initiation is written, signed by the keys this keyring holds,
for the others to sign with custos tx sign. Fragments default to the next
key-N the DID never used.

The recovered document is built from one version of the DID, fixed now:
--restore-version N (default: the current version). It keeps that version's
methods, relationships and services, without its capabilityInvocation keys
and without whatever a proposed key's fragment or material replaces. Nothing
the current keys do later changes it: if a thief added a service or a key,
name the last version before the theft (custos history lists them), and what
the thief added is gone once the recovery executes. The command prints what
the recovered document keeps.

--compromised records every key the recovery removes as compromised instead
of retired, and --compromised-since (RFC 3339; implies --compromised) from
when: key status then answers compromised for the theft window.

The initiation counts as this guardian's approval. Once the guardians'
threshold approved, the recovery is ready after the guardians' delay; it
prints its recovery id, which the other guardians approve.`,
		Example: `  custos recovery initiate $DID --guardian $BOB --new-key alice-new --signer bob
  custos recovery initiate $DID --guardian $BOB --new-key alice-new --new-key alice-backup --threshold 1 --next-key alice-next
  custos recovery initiate $DID --guardian $BOB --new-key alice-new --out recover.json   # bob signs it: custos tx sign recover.json
  custos recovery initiate $DID --guardian $BOB --new-key alice-new --restore-version 4 --compromised-since 2025-01-02T03:00:00Z`,
		Args: exactArgs("DID"),
		RunE: explained(opts, func(cmd *cobra.Command, args []string) error {
			id, err := parseDID(args[0])
			if err != nil {
				return err
			}
			if len(newKeys) == 0 {
				return fmt.Errorf("no --new-key given: propose at least one new controller key, e.g. --new-key alice-new (create it with `custos keys add alice-new`)")
			}
			if threshold < 1 || int(threshold) > len(newKeys) {
				return fmt.Errorf("invalid --threshold %d: give a number from 1 to %d (the number of --new-key keys)", threshold, len(newKeys))
			}
			sinceUnix, err := parseCompromisedSince(since, &compromised)
			if err != nil {
				return err
			}
			e, err := f.env(cmd, opts)
			if err != nil {
				return err
			}
			t, chainID, err := e.readTarget(id, g.expectedVersion)
			if err != nil {
				return err
			}
			gid, signers, err := g.guardianSigners(e)
			if err != nil {
				return err
			}
			cur := &t.record.Document
			base := t.record
			if restoreVersion != 0 && restoreVersion != t.record.Version {
				if restoreVersion > t.record.Version {
					return explain(types.ErrRestoreVersion.Wrapf("--restore-version %d: %s is at version %d", restoreVersion, id, t.record.Version))
				}
				ctx, cancel := e.l.context(cmd)
				res, err := e.l.Version(ctx, id, restoreVersion)
				cancel()
				if err != nil {
					return err
				}
				base = res.Record
			}
			used := e.usedFragments(t, cur)
			var vms []types.VerificationMethod
			var bindings []keyBinding
			var elsewhere []string
			for _, ks := range newKeys {
				flag := ks.flagName("--new-key")
				name, frag, named := cutSpec(ks.spec)
				pk, keyName, err := ks.publicKey(e.kr, "--new-key", name)
				if err != nil {
					return err
				}
				if !pk.Type().CanSign() {
					return fmt.Errorf("%s %s: the key is %s; controller keys must sign (Ed25519)", flag, ks.spec, pk.Type())
				}
				if !named {
					frag = nextFragment(used, "key-")
				}
				if err := types.ValidateFragment(frag); err != nil {
					return fmt.Errorf("%s %s: %s", flag, ks.spec, types.Detail(err))
				}
				used[frag] = true
				vms = append(vms, types.VerificationMethod{Id: frag, PublicKey: pk.Multicodec()})
				if keyName == "" {
					elsewhere = append(elsewhere, frag)
				} else {
					signers = appendSigners(signers, plannedSigner{name: keyName, fragment: frag})
				}
				bindings = append(bindings, keyBinding{ID: id.String() + "#" + frag, Key: keyName, PublicKeyMultibase: pk.Multibase()})
			}
			if err := e.heldElsewhere(elsewhere); err != nil {
				return err
			}
			ctx, cancel := e.l.context(cmd)
			defer cancel()
			recovered, err := e.l.recoveredDocument(ctx, id, &base.Document, vms, threshold)
			if err != nil {
				return err
			}
			doc, err := recovered(nil)
			if err != nil {
				return err
			}
			commit, nextOut, err := nk.commitment(cmd, e.kr, &doc)
			if err != nil {
				return err
			}
			if commit != nil {
				if doc, err = recovered(commit); err != nil {
					return err
				}
			}
			// The initiation names the id it gets, so that it can open
			// only one recovery.
			rs, err := e.l.Recovery(ctx, id)
			if err != nil {
				return err
			}
			cfg := rs.Guardians.Current
			e.guardians = &txbuild.FileGuardians{Guardians: append([]string{}, cfg.Guardians...), Threshold: cfg.Threshold, Delay: cfg.Delay}
			body := txbuild.RecoveryInitiate(chainID, id, t.record.Version, rs.Recoveries.NextId+1, gid, vms, threshold, commit)
			op := body.GetRecoveryInitiate()
			op.RestoreVersion, op.Compromised, op.CompromisedSince = base.Version, compromised, sinceUnix
			c, err := e.submit(id, body, signers)
			if err != nil {
				return err
			}
			return e.printEvent(id, c, bindings, nextOut, restoreSummary(base.Version, &doc, vms, compromised, sinceUnix))
		}),
	}
	fl := cmd.Flags()
	registerKeyFlags(fl, &newKeys, "new-key", "proposed controller key NAME[=FRAGMENT] from this keyring; repeatable",
		"proposed controller key MULTIBASE[=FRAGMENT] held on another machine (the owner's new key): it signs there (custos tx sign; needs --out); repeatable")
	fl.Uint32Var(&threshold, "threshold", 1, "how many of the new keys must sign later changes")
	fl.Uint64Var(&restoreVersion, "restore-version", 0, "the version whose methods and services the recovered document keeps (default: the current one); name the last version before a theft")
	fl.BoolVar(&compromised, "compromised", false, "record every key the recovery removes as compromised rather than retired")
	fl.StringVar(&since, "compromised-since", "", "RFC 3339 time from which the removed keys are not to be trusted (implies --compromised)")
	g.register(fl, true)
	nk.register(fl)
	f.registerOut(fl)
	_ = cmd.MarkFlagRequired("guardian")
	return cmd
}

// recoveredDocument returns what the ledger makes, when the recovery
// executes, of base, the version of id a recovery restores, with the
// proposed keys vms, threshold and a commitment: the keeper's
// RecoveredDocument, with the chain's limits and the compromise marks read
// from the node, so that what custos shows is what the ledger will do.
// A proposed fragment that a kept method or a service of base holds is
// refused in the words of --new-key.
func (l *ledger) recoveredDocument(ctx context.Context, id types.ID, base *types.Document, vms []types.VerificationMethod,
	threshold uint32) (func(*types.NextKeys) (types.Document, error), error) {
	p, err := l.Params(ctx)
	if err != nil {
		return nil, err
	}
	uncompromised := keeper.Uncompromised(stateReader{l: l, ctx: ctx}, id)
	kept := map[string]bool{}
	keep := func(vm types.VerificationMethod) (bool, error) {
		if k, seen := kept[vm.Id]; seen {
			return k, nil
		}
		k, err := uncompromised(vm)
		if err == nil {
			kept[vm.Id] = k
		}
		return k, err
	}
	return func(next *types.NextKeys) (types.Document, error) {
		doc, _, err := keeper.RecoveredDocument(base, vms, threshold, next, p, keep)
		if err == nil {
			return doc, nil
		}
		if types.Registered(err) != nil {
			for _, vm := range vms {
				if kept[vm.Id] || serviceIndex(base, vm.Id) >= 0 {
					return types.Document{}, fmt.Errorf("--new-key: fragment #%s stays in use in the recovered document; choose another with NAME=FRAGMENT", vm.Id)
				}
			}
		}
		return types.Document{}, explain(err)
	}, nil
}

// restoreSummary says what a recovered document keeps beside the proposed
// keys.
func restoreSummary(version uint64, doc *types.Document, vms []types.VerificationMethod, compromised bool, since int64) *restoreOut {
	r := &restoreOut{Version: version, Methods: []string{}, Services: []string{}, Compromised: compromised}
	for _, m := range doc.VerificationMethods {
		if !slices.ContainsFunc(vms, func(v types.VerificationMethod) bool { return v.Id == m.Id }) {
			r.Methods = append(r.Methods, m.Id)
		}
	}
	for _, s := range doc.Services {
		r.Services = append(r.Services, s.Id)
	}
	if compromised && since != 0 {
		r.CompromisedSince = didjson.FormatTime(since)
	}
	return r
}

func newRecoveryApproveCmd(opts *options, f *didFlags) *cobra.Command {
	g := &guardianFlags{}
	var rid uint64
	cmd := &cobra.Command{
		Use:   "approve DID --id ID --guardian GUARDIAN_DID",
		Short: "As a guardian, approve a pending recovery of a DID",
		Long: `Approve records the guardian's approval of recovery ID of DID (custos recovery
status lists the pending ones and what they propose). Each guardian counts
once. When the guardians' threshold is reached, the recovery is ready after
the delay and executes with the first block at or past that time, unless it
is cancelled first.`,
		Example: `  custos recovery approve $DID --id 1 --guardian $CAROL
  custos recovery approve $DID --id 1 --guardian $CAROL --signer carol`,
		Args: exactArgs("DID"),
		RunE: explained(opts, func(cmd *cobra.Command, args []string) error {
			id, err := parseDID(args[0])
			if err != nil {
				return err
			}
			if rid == 0 {
				return fmt.Errorf("no --id given: name the recovery to approve (`custos recovery status %s` lists them)", id)
			}
			e, err := f.env(cmd, opts)
			if err != nil {
				return err
			}
			t, chainID, err := e.readTarget(id, g.expectedVersion)
			if err != nil {
				return err
			}
			gid, signers, err := g.guardianSigners(e)
			if err != nil {
				return err
			}
			c, err := e.submit(id, txbuild.RecoveryApprove(chainID, id, t.record.Version, gid, rid), signers)
			if err != nil {
				return err
			}
			return e.printEvent(id, c, nil, nil, nil)
		}),
	}
	cmd.Flags().Uint64Var(&rid, "id", 0, "the recovery id (required)")
	g.register(cmd.Flags(), true)
	f.registerOut(cmd.Flags())
	_ = cmd.MarkFlagRequired("guardian")
	return cmd
}

func newRecoveryCancelCmd(opts *options, f *didFlags) *cobra.Command {
	g := &guardianFlags{}
	var rid uint64
	cmd := &cobra.Command{
		Use:   "cancel DID --id ID [--guardian GUARDIAN_DID]",
		Short: "Vote to cancel a pending recovery, as the owner or as a guardian",
		Long: `Cancel records a vote to drop recovery ID of DID. Without --guardian it is the
owner's vote, signed by the DID's controller keys; with --guardian, that
guardian's vote, signed by its own keys. With n guardians, ⌈(n+1)/2⌉ votes
of {owner, n guardians} cancel the recovery: the owner alone cannot block a
recovery by a guardian majority (a thief might hold the owner's key), and
guardians alone cannot push one through against the owner and an honest
guardian.

A DID with a pre-rotation commitment has a faster way out: rotating to its
committed next keys (custos did rotate) cancels every pending recovery.`,
		Example: `  custos recovery cancel $DID --id 1
  custos recovery cancel $DID --id 1 --guardian $DAVE --signer dave`,
		Args: exactArgs("DID"),
		RunE: explained(opts, func(cmd *cobra.Command, args []string) error {
			id, err := parseDID(args[0])
			if err != nil {
				return err
			}
			if rid == 0 {
				return fmt.Errorf("no --id given: name the recovery to cancel (`custos recovery status %s` lists them)", id)
			}
			e, err := f.env(cmd, opts)
			if err != nil {
				return err
			}
			t, chainID, err := e.readTarget(id, g.expectedVersion)
			if err != nil {
				return err
			}
			var gid types.ID
			var signers []plannedSigner
			if g.guardian != "" {
				gid, signers, err = g.guardianSigners(e)
			} else {
				signers, err = e.partial(controllerSigners(e.kr, id, &t.record.Document, nil, g.signers, ""))
			}
			if err != nil {
				return err
			}
			c, err := e.submit(id, txbuild.RecoveryCancel(chainID, id, t.record.Version, gid, rid), signers)
			if err != nil {
				return err
			}
			return e.printEvent(id, c, nil, nil, nil)
		}),
	}
	cmd.Flags().Uint64Var(&rid, "id", 0, "the recovery id (required)")
	g.register(cmd.Flags(), false)
	f.registerOut(cmd.Flags())
	return cmd
}
