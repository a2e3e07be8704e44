package commands

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// updateFlags describe the changes of `custos did update`.
type updateFlags struct {
	addKeys                                                   []keySpec
	removeKeys, addServices, removeServices, setRelationships []string
	threshold                                                 uint32
	thresholdSet                                              bool
}

func (u *updateFlags) empty() bool {
	return len(u.addKeys)+len(u.removeKeys)+len(u.addServices)+len(u.removeServices)+len(u.setRelationships) == 0 &&
		!u.thresholdSet
}

func newDIDUpdateCmd(opts *options, f *didFlags) *cobra.Command {
	u := &updateFlags{}
	tf := &txFlags{}
	nk := &nextKeyFlags{}
	cmd := &cobra.Command{
		Use:   "update DID [changes]",
		Short: "Add or remove keys and services, change relationships or the threshold",
		Long: `Update changes the DID's document. Changes apply in this order:

  --remove-key FRAGMENT              drop a key from the document and every relationship
  --remove-service ID                drop a service
  --add-key NAME[=FRAGMENT][:REL,..] add a keyring key; the fragment defaults to the
                                     next key-N; relationships default to
                                     capabilityInvocation,authentication for Ed25519
                                     and keyAgreement for X25519
  --add-service ID,TYPE,ENDPOINT     add a service (remove it first to replace it)
  --set-relationships FRAGMENT:REL,..  list an existing key under exactly these
                                     relationships (none after the colon: no relationship)
  --threshold M                      how many capabilityInvocation keys must sign changes
  --next-key NAME, --next-threshold N  commit to the next controller keys (pre-rotation)

Relationships: authentication (auth), assertionMethod (assertion), keyAgreement
(agreement), capabilityInvocation (invocation), capabilityDelegation (delegation).

The DID's current controllers sign (see custos did --help); every added signing
key signs too. A change that would leave fewer capabilityInvocation keys than
the threshold is refused: deactivate the DID if that is the intent.

An update keeps the DID's pre-rotation commitment as it is. While one stands,
an update that changes the capabilityInvocation keys or the threshold must
reveal the committed keys (they become the controllers and sign, the current
keys are not needed) and commit anew with --next-key.`,
		Example: `  custos did update $DID --add-key bob
  custos did update $DID --add-key carol=assertion-2:assertionMethod
  custos did update $DID --add-key bob --threshold 2
  custos did update $DID --remove-key key-2 --signer alice
  custos did update $DID --remove-service hub --add-service hub,LinkedDomains,https://example.org
  custos did update $DID --set-relationships key-1:capabilityInvocation,authentication,assertionMethod`,
		Args: exactArgs("DID"),
		RunE: explained(opts, func(cmd *cobra.Command, args []string) error {
			id, err := parseDID(args[0])
			if err != nil {
				return err
			}
			u.thresholdSet = cmd.Flags().Changed("threshold")
			if u.empty() && len(nk.keys) == 0 {
				return fmt.Errorf("nothing to change: give --add-key, --remove-key, --add-service, --remove-service, --set-relationships, --threshold or --next-key (see --help)")
			}
			e, err := f.env(cmd, opts)
			if err != nil {
				return err
			}
			t, chainID, err := e.readTarget(id, tf.expectedVersion)
			if err != nil {
				return err
			}
			cur := &t.record.Document
			doc := cur.Clone()
			b := &docBuilder{kr: e.kr, names: map[string]string{}}
			if err := u.apply(e, t, &doc, b); err != nil {
				return err
			}
			commit, nextOut, err := nk.commitment(cmd, e.kr, &doc)
			if err != nil {
				return err
			}
			if commit != nil {
				doc.NextKeys = commit
			}
			ctx, cancel := e.l.context(cmd)
			defer cancel()
			if err := e.checkDocument(ctx, doc); err != nil {
				return err
			}
			reveals, err := keeper.CheckCommitment(id, cur, &doc)
			if err != nil {
				return explain(err)
			}
			var signers []plannedSigner
			if reveals {
				signers, err = e.partial(revealSigners(e.kr, id, cur, &doc, tf.signers))
			} else {
				signers, err = e.partial(controllerSigners(e.kr, id, cur, &doc, tf.signers, ""))
			}
			if err != nil {
				return err
			}
			signers = appendSigners(signers, b.signers(&doc)...)
			if err := e.heldElsewhere(b.elsewhere); err != nil {
				return err
			}
			c, err := e.submit(id, txbuild.Update(chainID, id, t.record.Version, doc), signers)
			if err != nil {
				return err
			}
			r := e.result(id, "update", c, b.bindings(id, &doc))
			r.NextKeys = nextOut
			return e.printResult(r, "", nil)
		}),
	}
	fl := cmd.Flags()
	registerKeyFlags(fl, &u.addKeys, "add-key", "add keyring key NAME[=FRAGMENT][:REL,REL]; repeatable",
		"add the key MULTIBASE[=FRAGMENT][:REL,REL] held on another machine or device; a signing key signs there (custos tx sign; needs --out); repeatable")
	fl.StringArrayVar(&u.removeKeys, "remove-key", nil, "remove the key FRAGMENT; repeatable")
	fl.StringArrayVar(&u.addServices, "add-service", nil, "add service ID,TYPE,ENDPOINT; repeatable")
	fl.StringArrayVar(&u.removeServices, "remove-service", nil, "remove service ID; repeatable")
	fl.StringArrayVar(&u.setRelationships, "set-relationships", nil, "list key FRAGMENT under exactly REL,REL; repeatable")
	fl.Uint32Var(&u.threshold, "threshold", 0, "new threshold: how many capabilityInvocation keys must sign changes")
	tf.register(fl)
	nk.register(fl)
	f.registerOut(fl)
	return cmd
}

// apply makes the requested changes to doc, a copy of t's document.
func (u *updateFlags) apply(e *didEnv, t *target, doc *types.Document, b *docBuilder) error {
	for _, s := range u.removeKeys {
		f, err := parseKeyID(t.id, s)
		if err != nil {
			return err
		}
		if _, ok := doc.Method(f); !ok {
			return fmt.Errorf("--remove-key %s: %s has no key #%s (its keys: %s)", s, t.id, f, listKeys(doc))
		}
		removeFragment(doc, f)
	}
	for _, s := range u.removeServices {
		sid := strings.TrimPrefix(s, "#")
		i := serviceIndex(doc, sid)
		if i < 0 {
			return fmt.Errorf("--remove-service %s: %s has no service #%s", s, t.id, sid)
		}
		doc.Services = append(doc.Services[:i], doc.Services[i+1:]...)
	}
	used := e.usedFragments(t, doc)
	for _, ks := range u.addKeys {
		flag := ks.flagName("--add-key")
		spec, relText, hasRels := strings.Cut(ks.spec, ":")
		name, _, _ := cutSpec(spec)
		pk, _, err := ks.publicKey(e.kr, "--add-key", name)
		if err != nil {
			return err
		}
		if f := fragmentOf(doc, pk); f != "" {
			return explain(types.ErrDuplicateKey.Wrapf("%s %s: key %s is already #%s of %s", flag, ks.spec, pk.Multibase(), f, t.id))
		}
		def := nextFragment(used, "key-")
		frag, err := b.addSpec(doc, "--add-key", keySpec{spec: spec, pub: ks.pub}, def, pk.Type())
		if err != nil {
			return err
		}
		used[frag] = true
		rels := []types.Relationship{types.CapabilityInvocation, types.Authentication}
		if pk.Type() == types.KeyTypeX25519 {
			rels = []types.Relationship{types.KeyAgreement}
		}
		if hasRels {
			if rels, err = parseRelationships(relText); err != nil {
				return fmt.Errorf("%s %s: %v", flag, ks.spec, err)
			}
		}
		setRelationships(doc, frag, rels)
	}
	for _, s := range u.addServices {
		svc, err := parseService(s)
		if err != nil {
			return err
		}
		if serviceIndex(doc, svc.Id) >= 0 {
			return fmt.Errorf("--add-service %s: %s has a service #%s already; --remove-service %s first to replace it", s, t.id, svc.Id, svc.Id)
		}
		doc.Services = append(doc.Services, svc)
	}
	for _, s := range u.setRelationships {
		fs, relText, ok := strings.Cut(s, ":")
		if !ok {
			return fmt.Errorf("invalid --set-relationships %q: give FRAGMENT:REL,REL, e.g. key-1:capabilityInvocation,authentication", s)
		}
		f, err := parseKeyID(t.id, fs)
		if err != nil {
			return err
		}
		if _, ok := doc.Method(f); !ok {
			return fmt.Errorf("--set-relationships %s: %s has no key #%s (its keys: %s)", s, t.id, f, listKeys(doc))
		}
		rels, err := parseRelationships(relText)
		if err != nil {
			return fmt.Errorf("--set-relationships %s: %v", s, err)
		}
		setRelationships(doc, f, rels)
	}
	if u.thresholdSet {
		doc.Threshold = u.threshold
	}
	return nil
}

// usedFragments are the fragments the DID uses now or ever did (from its
// history), so that a new key-N never reuses a retired key's name.
func (e *didEnv) usedFragments(t *target, doc *types.Document) map[string]bool {
	used := map[string]bool{}
	for _, d := range []*types.Document{&t.record.Document, doc} {
		for _, vm := range d.VerificationMethods {
			used[vm.Id] = true
		}
		for _, s := range d.Services {
			used[s.Id] = true
		}
	}
	ctx, cancel := e.l.context(e.cmd)
	defer cancel()
	if entries, err := e.l.History(ctx, t.id); err == nil {
		for _, en := range entries {
			for _, f := range en.KeysAdded {
				used[f] = true
			}
		}
	}
	return used
}

// nextFragment returns prefix+N for the smallest N above every used one.
func nextFragment(used map[string]bool, prefix string) string {
	top := 0
	for f := range used {
		if n, err := strconv.Atoi(strings.TrimPrefix(f, prefix)); err == nil && strings.HasPrefix(f, prefix) && n > top {
			top = n
		}
	}
	return prefix + strconv.Itoa(top+1)
}

func serviceIndex(doc *types.Document, id string) int {
	for i, s := range doc.Services {
		if s.Id == id {
			return i
		}
	}
	return -1
}

// appendSigners appends the signers not in list yet.
func appendSigners(list []plannedSigner, more ...plannedSigner) []plannedSigner {
	for _, m := range more {
		dup := false
		for _, have := range list {
			dup = dup || have == m
		}
		if !dup {
			list = append(list, m)
		}
	}
	return list
}
