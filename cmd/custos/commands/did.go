package commands

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/custos-ledger/custos/cmd/custos/keyring"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

func newDIDCmd(opts *options) *cobra.Command {
	f := &didFlags{}
	cmd := &cobra.Command{
		Use:   "did",
		Short: "Create and change DIDs: keys, services, threshold, deactivation",
		Long: `Each did command reads the DID's current version from the node, builds the
transaction, signs it with keys of the local keyring, submits it to --node and
waits for its block (up to --timeout). It then prints the DID, its new
versionId, the block height and the transaction hash.

Who signs: a change needs threshold-many of the DID's capabilityInvocation
keys. Without --signer, custos signs with the keyring's capabilityInvocation
keys of the DID, in document order, as many as the threshold (preferring keys
other than the one being rotated or revoked). --signer NAME, repeated, picks
the keys instead. New signing keys (rotate --new-key, update --add-key) always
sign too: the ledger requires proof that their owner holds them.

Keys on other machines: --out FILE writes the transaction, signed by the keys
this keyring holds, to a tx file instead of sending it; the other holders sign
it with custos tx sign FILE and anyone sends it with custos tx broadcast FILE.
Keys held elsewhere join a document by public key: --key-pub, --add-key-pub,
--new-key-pub, --next-key-pub (docs/tx-file.md, docs/multiparty.md).

When the ledger refuses, the command exits non-zero and prints the error's
name, what it means and what to do.`,
		Example: `  custos did create --key alice
  custos did rotate did:custos:7Kq... --key-id key-1 --new-key alice-2
  custos did update did:custos:7Kq... --add-service hub,LinkedDomains,https://example.com
  custos did revoke-key did:custos:7Kq... --key-id key-2 --compromised
  custos did deactivate did:custos:7Kq...`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	pf := cmd.PersistentFlags()
	f.node.register(pf, true)
	f.keyring.register(pf)
	pf.StringVar(&f.memo, "memo", "", "a note recorded with the change in the DID's history (public)")
	cmd.AddCommand(
		newDIDCreateCmd(opts, f),
		newDIDUpdateCmd(opts, f),
		newDIDRotateCmd(opts, f),
		newDIDRevokeKeyCmd(opts, f),
		newDIDDeactivateCmd(opts, f),
	)
	return cmd
}

func newDIDCreateCmd(opts *options, f *didFlags) *cobra.Command {
	var keys []keySpec
	var assertionKeys, agreementKeys, services []string
	var threshold uint32
	var endorser string
	nk := &nextKeyFlags{}
	cmd := &cobra.Command{
		Use:   "create --key NAME[=FRAGMENT] | --key-pub MULTIBASE[=FRAGMENT] [...]",
		Short: "Register a new DID controlled by keyring keys",
		Long: `Create registers a new DID whose initial document lists the given keys:

  --key NAME[=FRAGMENT]            capabilityInvocation + authentication
                                   (controls the DID); fragments key-1, key-2, ...
  --key-pub MULTIBASE[=FRAGMENT]   the same for a key held on another machine,
                                   named by its public key; it signs there
                                   (with --out FILE, then custos tx sign)
  --assertion-key NAME[=FRAGMENT]  assertionMethod (signs credentials); a key
                                   also given with --key keeps its fragment,
                                   otherwise assertion-1, assertion-2, ...
  --agreement-key NAME[=FRAGMENT]  keyAgreement, an X25519 key;
                                   agreement-1, agreement-2, ...
  --service ID,TYPE,ENDPOINT       a service, e.g. hub,LinkedDomains,https://example.com
  --threshold M                    how many --key keys must sign later changes (default 1)
  --next-key NAME                  pre-rotation: commit to the next controller key(s);
                                   only they can later replace the controllers or
                                   deactivate the DID (see custos did rotate --help)
  --next-threshold N               how many next keys must sign then (default: --threshold)

The DID is derived from the chain id and the initial document, so nobody can
register the same document under another DID. Every signing key of the
document signs the create (proof of possession).

The chain's write policy (docs/write-policy.md) may price a create: custos
then computes the proof-of-work stamp the chain asks for (progress on
standard error; about two seconds at the network default). On a chain whose
creates are endorsed, --endorser NAME co-signs with an endorser's key; with
--out FILE, an endorser elsewhere co-signs with custos tx sign FILE --signer
NAME (the file records the endorsers' current keys).`,
		Example: `  custos did create --key alice
  custos did create --key alice --key bob --key carol --threshold 2
  custos did create --key alice --key-pub z6Mk...bob --key-pub z6Mk...carol --threshold 2 --out create.json
  custos did create --key alice --next-key alice-next
  custos did create --key alice=primary --assertion-key alice --agreement-key alice-x \
    --service hub,LinkedDomains,https://example.com
  DID=$(custos did create --key alice --output json | jq -r .did)`,
		Args: cobra.NoArgs,
		RunE: explained(opts, func(cmd *cobra.Command, _ []string) error {
			if len(keys) == 0 {
				return fmt.Errorf("no --key given: a DID needs at least one controller key, e.g. --key alice (create one with `custos keys add alice`)")
			}
			if threshold < 1 || int(threshold) > len(keys) {
				return fmt.Errorf("invalid --threshold %d: give a number from 1 to %d (the number of --key keys)", threshold, len(keys))
			}
			e, err := f.env(cmd, opts)
			if err != nil {
				return err
			}
			b := &docBuilder{kr: e.kr, names: map[string]string{}}
			doc := types.Document{Threshold: threshold}
			for i, ks := range keys {
				frag, err := b.addSpec(&doc, "--key", ks, "key-"+strconv.Itoa(i+1), types.KeyTypeEd25519)
				if err != nil {
					return err
				}
				if doc.Has(types.CapabilityInvocation, frag) {
					return fmt.Errorf("%s %s: the key is given twice", ks.flagName("--key"), ks.spec)
				}
				doc.CapabilityInvocation = append(doc.CapabilityInvocation, frag)
				doc.Authentication = append(doc.Authentication, frag)
			}
			for i, spec := range assertionKeys {
				frag, err := b.add(&doc, "--assertion-key", spec, "assertion-"+strconv.Itoa(i+1), types.KeyTypeEd25519)
				if err != nil {
					return err
				}
				doc.AssertionMethod = append(doc.AssertionMethod, frag)
			}
			for i, spec := range agreementKeys {
				frag, err := b.add(&doc, "--agreement-key", spec, "agreement-"+strconv.Itoa(i+1), types.KeyTypeX25519)
				if err != nil {
					return err
				}
				doc.KeyAgreement = append(doc.KeyAgreement, frag)
			}
			for _, s := range services {
				svc, err := parseService(s)
				if err != nil {
					return err
				}
				doc.Services = append(doc.Services, svc)
			}
			commit, nextOut, err := nk.commitment(cmd, e.kr, &doc)
			if err != nil {
				return err
			}
			doc.NextKeys = commit

			ctx, cancel := e.l.context(cmd)
			defer cancel()
			chainID, err := e.l.ChainID(ctx)
			if err != nil {
				return err
			}
			if err := e.checkDocument(ctx, doc); err != nil {
				return err
			}
			id, body, err := txbuild.Create(chainID, doc, "")
			if err != nil {
				return explain(err)
			}
			if err := e.heldElsewhere(b.elsewhere); err != nil {
				return err
			}
			if e.out != "" {
				// The file records who may endorse the create, so that an
				// endorser on another machine can (custos tx sign).
				if e.endorsement, err = ledgerEndorsement(ctx, e.l, id); err != nil {
					return err
				}
			}
			signers := b.signers(&doc)
			if endorser != "" {
				s, err := e.endorserSigner(ctx, endorser)
				if err != nil {
					return err
				}
				signers = append(signers, s)
			}
			c, err := e.submit(id, body, signers)
			if err != nil {
				return err
			}
			r := e.result(id, "create", c, b.bindings(id, &doc))
			r.NextKeys = nextOut
			return e.printResult(r, "", nil)
		}),
	}
	fl := cmd.Flags()
	registerKeyFlags(fl, &keys, "key", "controller key NAME[=FRAGMENT] (capabilityInvocation + authentication) from this keyring; repeatable",
		"controller key MULTIBASE[=FRAGMENT]: the publicKeyMultibase of a key held on another machine or device, which signs the create there (custos tx sign; needs --out); repeatable")
	fl.StringArrayVar(&assertionKeys, "assertion-key", nil, "assertionMethod key NAME[=FRAGMENT]; repeatable")
	fl.StringArrayVar(&agreementKeys, "agreement-key", nil, "keyAgreement X25519 key NAME[=FRAGMENT]; repeatable")
	fl.StringArrayVar(&services, "service", nil, "service ID,TYPE,ENDPOINT; repeatable")
	fl.Uint32Var(&threshold, "threshold", 1, "how many controller keys must sign each later change")
	fl.StringVar(&endorser, "endorser", "", "on a chain whose write policy is endorsed: the keyring key of an endorser, which co-signs the create (docs/write-policy.md)")
	nk.register(fl)
	f.registerOut(fl)
	return cmd
}

// docBuilder adds keyring keys to a document and remembers which key each
// fragment is.
type docBuilder struct {
	kr    *keyring.Keyring
	names map[string]string // fragment -> keyring name ("" for a key held elsewhere)
	order []string          // fragments in the order added
	// elsewhere are the fragments of signing keys given by their public
	// key (-pub flags): they sign on the machine that holds them.
	elsewhere []string
}

// addSpec adds the key of ks, a keyring key or a public key held
// elsewhere, as add does.
func (b *docBuilder) addSpec(doc *types.Document, flag string, ks keySpec, def string, want types.KeyType) (string, error) {
	if !ks.pub {
		return b.add(doc, flag, ks.spec, def, want)
	}
	flag = ks.flagName(flag)
	mb, frag, named := cutSpec(ks.spec)
	pk, _, err := ks.publicKey(b.kr, flag, mb)
	if err != nil {
		return "", err
	}
	if ok := pk.Type() == want || (want.CanSign() && pk.Type().CanSign()); !ok {
		return "", fmt.Errorf("%s %s: the key is %s; %s wants a signing key", flag, ks.spec, pk.Type(), flag)
	}
	if have := fragmentOf(doc, pk); have != "" {
		if named && frag != have {
			return "", fmt.Errorf("%s %s: the key is already in the document as #%s", flag, ks.spec, have)
		}
		return have, nil
	}
	if !named {
		frag = def
	}
	if err := types.ValidateFragment(frag); err != nil {
		return "", fmt.Errorf("%s %s: %s", flag, ks.spec, types.Detail(err))
	}
	if _, taken := doc.Method(frag); taken {
		return "", fmt.Errorf("%s %s: fragment #%s is already used; choose another with MULTIBASE=FRAGMENT", flag, ks.spec, frag)
	}
	doc.VerificationMethods = append(doc.VerificationMethods, types.VerificationMethod{Id: frag, PublicKey: pk.Multicodec()})
	b.names[frag] = ""
	b.order = append(b.order, frag)
	if pk.Type().CanSign() {
		b.elsewhere = append(b.elsewhere, frag)
	}
	return frag, nil
}

// add adds the key of spec (NAME[=FRAGMENT]) to doc, under FRAGMENT or
// def, and returns its fragment. A key already added keeps its fragment.
func (b *docBuilder) add(doc *types.Document, flag, spec, def string, want types.KeyType) (string, error) {
	name, frag, named := cutSpec(spec)
	info, err := b.kr.Get(name)
	if err != nil {
		return "", keyError(b.kr, fmt.Errorf("%s %s: %w", flag, spec, err))
	}
	if info.Type != want && !(want.CanSign() && info.Type.CanSign()) {
		if want == types.KeyTypeX25519 {
			return "", fmt.Errorf("%s %s: %q is an %s key; a keyAgreement key must be X25519 (custos keys add NAME --type x25519)", flag, spec, name, info.Type)
		}
		return "", fmt.Errorf("%s %s: %q is an %s key, which cannot sign; use an Ed25519 or P-256 key (or --agreement-key for X25519)", flag, spec, name, info.Type)
	}
	if have := fragmentOf(doc, info.PublicKey); have != "" {
		if named && frag != have {
			return "", fmt.Errorf("%s %s: key %q is already in the document as #%s", flag, spec, name, have)
		}
		return have, nil
	}
	if !named {
		frag = def
	}
	if err := types.ValidateFragment(frag); err != nil {
		return "", fmt.Errorf("%s %s: %s", flag, spec, types.Detail(err))
	}
	if _, taken := doc.Method(frag); taken {
		return "", fmt.Errorf("%s %s: fragment #%s is already used; choose another with NAME=FRAGMENT", flag, spec, frag)
	}
	doc.VerificationMethods = append(doc.VerificationMethods, types.VerificationMethod{Id: frag, PublicKey: info.PublicKey.Multicodec()})
	b.names[frag] = name
	b.order = append(b.order, frag)
	return frag, nil
}

// signers are every signing key the builder added that is in doc.
func (b *docBuilder) signers(doc *types.Document) []plannedSigner {
	var out []plannedSigner
	for _, f := range b.order {
		if pk, ok := fragmentKey(doc, f); ok && pk.Type().CanSign() && b.names[f] != "" {
			out = append(out, plannedSigner{name: b.names[f], fragment: f})
		}
	}
	return out
}

func (b *docBuilder) bindings(id types.ID, doc *types.Document) []keyBinding {
	var out []keyBinding
	for _, f := range b.order {
		if pk, ok := fragmentKey(doc, f); ok {
			out = append(out, keyBinding{ID: id.String() + "#" + f, Key: b.names[f], PublicKeyMultibase: pk.Multibase()})
		}
	}
	return out
}
