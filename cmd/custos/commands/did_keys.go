package commands

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

func newDIDRotateCmd(opts *options, f *didFlags) *cobra.Command {
	var keyID, newKey, newKeyPub, since string
	var compromised bool
	tf := &txFlags{}
	nk := &nextKeyFlags{}
	cmd := &cobra.Command{
		Use:   "rotate DID --key-id FRAGMENT --new-key NAME|--new-key-pub MULTIBASE [--compromised [--compromised-since TIME]]",
		Short: "Replace one key's material with a new keyring key, keeping its relationships",
		Long: `Rotate replaces the key material of FRAGMENT with the keyring key NAME (of the
same type). The fragment keeps its relationships; the old material is recorded
as retired in the DID's history. The new key signs the rotation (proof of
possession) along with the DID's controllers.

If the old key may have been stolen, add --compromised: the old material is
recorded as compromised instead, in the same operation, and
--compromised-since (RFC 3339, e.g. 2025-01-02T15:04:05Z; implies
--compromised) says from when it should not be trusted: key status then
answers compromised for that window, and verifiers reject what it signed
there. This works for a DID with a single key, which cannot revoke it. A key
found stolen only after it was rotated away can still be marked: custos did
revoke-key --key-id FRAGMENT --public-key MULTIBASE --compromised-since TIME.

Pre-rotation: --next-key NAME (repeatable) commits to the next controller
keys. When the DID has such a commitment, rotating a capabilityInvocation key
must reveal it: --new-key must be a committed key, it signs (the current key
is not needed, so this works when the current key is lost or stolen), and the
rotation must commit anew with --next-key. It also cancels every pending
recovery and guardian change.`,
		Example: `  custos keys add alice-2
  custos did rotate $DID --key-id key-1 --new-key alice-2
  custos did rotate $DID --key-id key-2 --new-key bob-2 --signer alice --signer carol
  custos did rotate $DID --key-id key-3 --new-key-pub z6Mk... --out rotate.json
  custos did rotate $DID --key-id key-1 --new-key alice-next --next-key alice-next-2
  custos did rotate $DID --key-id key-1 --new-key alice-2 --compromised-since 2025-01-02T03:00:00Z`,
		Args: exactArgs("DID"),
		RunE: explained(opts, func(cmd *cobra.Command, args []string) error {
			id, err := parseDID(args[0])
			if err != nil {
				return err
			}
			frag, err := parseKeyID(id, keyID)
			if err != nil {
				return err
			}
			sinceUnix, err := parseCompromisedSince(since, &compromised)
			if err != nil {
				return err
			}
			e, err := f.env(cmd, opts)
			if err != nil {
				return err
			}
			newPK, newName, err := rotateTarget(e, newKey, newKeyPub)
			if err != nil {
				return err
			}
			t, chainID, err := e.readTarget(id, tf.expectedVersion)
			if err != nil {
				return err
			}
			cur := &t.record.Document
			curKeys, err := types.KeysOf(cur)
			if err != nil {
				return fmt.Errorf("the node at %s sent an unreadable document of %s: %v", e.l.addr, id, err)
			}
			next, _, err := keeper.RotatedDocument(id, cur, curKeys, frag, newPK.Multicodec())
			if err != nil {
				return explain(err)
			}
			commit, nextOut, err := nk.commitment(cmd, e.kr, &next)
			if err != nil {
				return err
			}
			if commit != nil {
				next.NextKeys = commit
			}
			reveals, err := keeper.CheckCommitment(id, cur, &next)
			if err != nil {
				return explain(err)
			}
			var signers []plannedSigner
			if reveals {
				signers, err = e.partial(revealSigners(e.kr, id, cur, &next, tf.signers))
			} else {
				signers, err = e.partial(controllerSigners(e.kr, id, cur, &next, tf.signers, frag))
			}
			if err != nil {
				return err
			}
			if newPK.Type().CanSign() {
				if newName == "" {
					if err := e.heldElsewhere([]string{frag}); err != nil {
						return err
					}
				} else {
					signers = appendSigners(signers, plannedSigner{name: newName, fragment: frag})
				}
			}
			body := txbuild.Rotate(chainID, id, t.record.Version, frag, newPK)
			body.GetRotateKey().NextKeys = commit
			body.GetRotateKey().Compromised, body.GetRotateKey().CompromisedSince = compromised, sinceUnix
			c, err := e.submit(id, body, signers)
			if err != nil {
				return err
			}
			r := e.result(id, "rotateKey", c, []keyBinding{{ID: id.String() + "#" + frag, Key: newName, PublicKeyMultibase: newPK.Multibase()}})
			r.NextKeys = nextOut
			return e.printResult(r, "", nil)
		}),
	}
	cmd.Flags().StringVar(&keyID, "key-id", "", "fragment of the key to rotate, e.g. key-1 (required)")
	cmd.Flags().StringVar(&newKey, "new-key", "", "keyring key that replaces it (this or --new-key-pub is required)")
	cmd.Flags().StringVar(&newKeyPub, "new-key-pub", "", "publicKeyMultibase of the key that replaces it, held on another machine or device: it signs there (custos tx sign; needs --out)")
	cmd.Flags().BoolVar(&compromised, "compromised", false, "record the replaced key as compromised rather than retired")
	cmd.Flags().StringVar(&since, "compromised-since", "", "RFC 3339 time from which the replaced key is not to be trusted (implies --compromised)")
	_ = cmd.MarkFlagRequired("key-id")
	cmd.MarkFlagsOneRequired("new-key", "new-key-pub")
	cmd.MarkFlagsMutuallyExclusive("new-key", "new-key-pub")
	tf.register(cmd.Flags())
	nk.register(cmd.Flags())
	f.registerOut(cmd.Flags())
	return cmd
}

func newDIDRevokeKeyCmd(opts *options, f *didFlags) *cobra.Command {
	var keyID, since, material string
	var compromised bool
	tf := &txFlags{}
	cmd := &cobra.Command{
		Use:   "revoke-key DID --key-id FRAGMENT [--compromised [--compromised-since TIME]] [--public-key MULTIBASE]",
		Short: "Remove a key from the DID and record it as retired or compromised",
		Long: `Revoke-key removes the key from the document and from every relationship, and
records it in the DID's history as retired, or with --compromised as
compromised. --compromised-since (RFC 3339, e.g. 2025-01-02T15:04:05Z; implies
--compromised) says from when it should not be trusted: verifiers then treat
signatures made with it since that time as invalid.

The DID must keep at least threshold capabilityInvocation keys: add a
replacement first (custos did update --add-key) when revoking a controller,
or rotate it with custos did rotate --compromised.

A key found stolen after it left the document can still be recorded as
compromised (--compromised is then required, and the document does not
change): name its fragment, and if that fragment lists a newer key now, the
stolen material with --public-key (its publicKeyMultibase, as key status and
old versions show it). A record only ever widens: retired becomes compromised,
and a compromised key takes an earlier --compromised-since, never a later one.`,
		Example: `  custos did revoke-key $DID --key-id key-2
  custos did revoke-key $DID --key-id key-1 --compromised --signer bob
  custos did revoke-key $DID --key-id key-1 --compromised-since 2025-01-02T15:04:05Z
  custos did revoke-key $DID --key-id key-1 --public-key z6Mk... --compromised-since 2025-01-02T03:00:00Z`,
		Args: exactArgs("DID"),
		RunE: explained(opts, func(cmd *cobra.Command, args []string) error {
			id, err := parseDID(args[0])
			if err != nil {
				return err
			}
			frag, err := parseKeyID(id, keyID)
			if err != nil {
				return err
			}
			reason := types.REVOCATION_REASON_RETIRED
			sinceUnix, err := parseCompromisedSince(since, &compromised)
			if err != nil {
				return err
			}
			if compromised {
				reason = types.REVOCATION_REASON_COMPROMISED
			}
			var earlier []byte
			if material != "" {
				pk, err := types.ParseMultikey(material)
				if err != nil {
					return explain(fmt.Errorf("--public-key: %w", err))
				}
				if !compromised {
					return fmt.Errorf("--public-key names an earlier key to record as compromised: add --compromised or --compromised-since")
				}
				earlier = pk.Multicodec()
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
			if _, ok := cur.Method(frag); !ok && !compromised {
				return explain(types.ErrKeyNotFound.Wrapf("%s has no key #%s (its keys: %s); to record a key it listed before as compromised, add --compromised", id, frag, listKeys(cur)))
			}
			signers, err := e.partial(controllerSigners(e.kr, id, cur, nil, tf.signers, frag))
			if err != nil {
				return err
			}
			body := txbuild.Revoke(chainID, id, t.record.Version, frag, reason, sinceUnix)
			body.GetRevokeKey().PublicKey = earlier
			c, err := e.submit(id, body, signers)
			if err != nil {
				return err
			}
			return e.print(id, "revokeKey", c, nil)
		}),
	}
	cmd.Flags().StringVar(&keyID, "key-id", "", "fragment of the key to revoke, e.g. key-2 (required)")
	cmd.Flags().BoolVar(&compromised, "compromised", false, "record the key as compromised rather than retired")
	cmd.Flags().StringVar(&since, "compromised-since", "", "RFC 3339 time from which the key is not to be trusted (implies --compromised)")
	cmd.Flags().StringVar(&material, "public-key", "", "publicKeyMultibase of a key the fragment listed before its current one, to record as compromised")
	_ = cmd.MarkFlagRequired("key-id")
	tf.register(cmd.Flags())
	f.registerOut(cmd.Flags())
	return cmd
}

// parseCompromisedSince parses --compromised-since (RFC 3339; "" is 0, not
// given); a time implies --compromised.
func parseCompromisedSince(since string, compromised *bool) (int64, error) {
	if since == "" {
		return 0, nil
	}
	ts, err := time.Parse(time.RFC3339, since)
	if err != nil {
		return 0, fmt.Errorf("invalid --compromised-since %q: give an RFC 3339 time, e.g. 2025-01-02T15:04:05Z", since)
	}
	*compromised = true
	return ts.Unix(), nil
}

func newDIDDeactivateCmd(opts *options, f *didFlags) *cobra.Command {
	var yes bool
	var reveal []string
	tf := &txFlags{}
	cmd := &cobra.Command{
		Use:   "deactivate DID",
		Short: "Deactivate a DID for good",
		Long: `Deactivate ends a DID: no later operation on it succeeds, and resolving it
says deactivated. Its earlier versions and its history stay readable. It
cannot be undone, so it asks for confirmation unless --yes is given.

When the DID has committed to its next keys (pre-rotation), the current keys
cannot deactivate it: --reveal-key NAME (repeatable) reveals committed next
keys, which sign, as many as the committed threshold.`,
		Example: `  custos did deactivate $DID
  custos did deactivate $DID --yes --signer alice --signer bob
  custos did deactivate $DID --reveal-key alice-next`,
		Args: exactArgs("DID"),
		RunE: explained(opts, func(cmd *cobra.Command, args []string) error {
			id, err := parseDID(args[0])
			if err != nil {
				return err
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
			body := txbuild.Deactivate(chainID, id, t.record.Version)
			var signers []plannedSigner
			switch {
			case cur.NextKeys != nil && len(reveal) == 0:
				return explain(types.ErrPreRotation.Wrapf("%s has committed to its next controller keys, so only they can deactivate it: pass --reveal-key NAME for at least %d of them", id, cur.NextKeys.Threshold))
			case cur.NextKeys != nil && len(tf.signers) > 0:
				return fmt.Errorf("--signer does not apply: %s has committed to its next keys, and the --reveal-key keys sign its deactivation", id)
			case cur.NextKeys != nil:
				var vms []types.VerificationMethod
				if vms, signers, err = revealKeys(e.kr, reveal); err != nil {
					return err
				}
				body = txbuild.DeactivateRevealing(chainID, id, t.record.Version, vms)
			case len(reveal) > 0:
				return fmt.Errorf("--reveal-key: %s has no pre-rotation commitment; deactivate it without --reveal-key (its controller keys sign)", id)
			default:
				if signers, err = e.partial(controllerSigners(e.kr, id, cur, nil, tf.signers, "")); err != nil {
					return err
				}
			}
			if !yes && e.out == "" { // a tx file asks nothing: each signer sees what it signs
				q := fmt.Sprintf("Deactivate %s (version %d)? No operation on it will ever succeed again", id, t.record.Version)
				ok, err := confirm(cmd.InOrStdin(), cmd.ErrOrStderr(), q)
				if err != nil {
					return err
				}
				if !ok {
					return fmt.Errorf("not deactivated: confirm with y, or pass --yes")
				}
			}
			c, err := e.submit(id, body, signers)
			if err != nil {
				return err
			}
			return e.print(id, "deactivate", c, nil)
		}),
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	cmd.Flags().StringArrayVar(&reveal, "reveal-key", nil, "committed next key NAME[=FRAGMENT] that signs the deactivation of a pre-rotated DID; repeatable")
	tf.register(cmd.Flags())
	f.registerOut(cmd.Flags())
	return cmd
}

// rotateTarget reads the new key of a rotation: --new-key NAME from the
// keyring (its name returned), or --new-key-pub MULTIBASE held elsewhere
// (name "").
func rotateTarget(e *didEnv, name, pub string) (types.PublicKey, string, error) {
	if pub != "" {
		pk, _, err := keySpec{spec: pub, pub: true}.publicKey(e.kr, "--new-key", pub)
		return pk, "", err
	}
	info, err := e.kr.Get(name)
	if err != nil {
		return types.PublicKey{}, "", keyError(e.kr, fmt.Errorf("--new-key %s: %w", name, err))
	}
	return info.PublicKey, name, nil
}
