package commands

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/custos-ledger/custos/x/did/didjson"
	"github.com/custos-ledger/custos/x/did/types"
)

// didReader resolves DIDs for `custos resolve` and `custos history`. Today
// abciReader answers through the node's ABCI queries; the HTTP resolver
// can answer the same calls later.
type didReader interface {
	// Resolve returns the latest version, the version opts.VersionID when
	// not 0, or the version in force at opts.VersionTime when not zero.
	Resolve(ctx context.Context, id types.ID, opts resolveOptions) (resolution, error)
	// History returns the DID's key event log, oldest first.
	History(ctx context.Context, id types.ID) ([]didjson.Event, error)
}

// resolveOptions select a version; at most one is set.
type resolveOptions struct {
	VersionID   uint64
	VersionTime time.Time
}

// resolution is a DID document and its metadata, as DID Resolution
// returns them.
type resolution struct {
	Document didjson.Document `json:"didDocument"`
	Metadata didjson.Metadata `json:"didDocumentMetadata"`
}

// abciReader reads DIDs through ABCI queries of one node.
type abciReader struct{ l *ledger }

func (r abciReader) Resolve(ctx context.Context, id types.ID, opts resolveOptions) (resolution, error) {
	var res *types.QueryDIDResponse
	var err error
	switch {
	case opts.VersionID != 0:
		res, err = r.l.Version(ctx, id, opts.VersionID)
	case !opts.VersionTime.IsZero():
		res, err = r.versionAt(ctx, id, opts.VersionTime.Unix())
	default:
		res, err = r.l.Current(ctx, id)
	}
	if err != nil {
		return resolution{}, err
	}
	doc, err := didjson.RenderDocument(&res.Record.Document)
	if err != nil {
		return resolution{}, fmt.Errorf("the node at %s sent a document that does not render: %v", r.l.addr, err)
	}
	return resolution{Document: doc, Metadata: didjson.RenderMetadata(&res.Head, &res.Record)}, nil
}

// versionAt finds the last version recorded at or before at (Unix
// seconds) by binary search over the versions' block times, which never
// decrease.
func (r abciReader) versionAt(ctx context.Context, id types.ID, at int64) (*types.QueryDIDResponse, error) {
	latest, err := r.l.Current(ctx, id)
	if err != nil {
		return nil, err
	}
	if latest.Record.Time <= at {
		return latest, nil
	}
	var found *types.QueryDIDResponse
	lo, hi := uint64(1), latest.Head.Version-1 // the answer is in [lo, hi], if any
	for lo <= hi {
		mid := lo + (hi-lo)/2
		res, err := r.l.Version(ctx, id, mid)
		if err != nil {
			return nil, err
		}
		if res.Record.Time <= at {
			found, lo = res, mid+1
		} else {
			hi = mid - 1
		}
	}
	if found == nil {
		return nil, types.ErrDIDNotFound.Wrapf("%s did not exist yet at %s (created %s)", id, didjson.FormatTime(at), didjson.FormatTime(latest.Head.Created))
	}
	return found, nil
}

func (r abciReader) History(ctx context.Context, id types.ID) ([]didjson.Event, error) {
	entries, err := r.l.History(ctx, id)
	if err != nil {
		return nil, err
	}
	out := make([]didjson.Event, len(entries))
	for i := range entries {
		out[i] = didjson.RenderEvent(id, &entries[i])
	}
	return out, nil
}

// readerFlags are the flags of the read-only commands.
type readerFlags struct {
	node     nodeFlags
	resolver string
}

// registerResolver adds --resolver.
func (f *readerFlags) registerResolver(fs *pflag.FlagSet) {
	fs.StringVar(&f.resolver, "resolver", "", "read through this HTTP resolver (e.g. http://127.0.0.1:8080) instead of the node's ABCI queries; the "+ResolverEnv+" environment variable sets it too")
}

// reader reads through the HTTP resolver when one is given, else through
// the node's ABCI queries. The ledger gives the requests their timeout.
func (f *readerFlags) reader(cmd *cobra.Command) (didReader, *ledger, error) {
	l, err := f.node.connect(cmd)
	if err != nil {
		return nil, nil, err
	}
	if base := f.resolverURL(); base != "" {
		r, err := newHTTPReader(base, &http.Client{Timeout: f.node.timeout})
		return r, l, err
	}
	return abciReader{l: l}, l, nil
}

func newResolveCmd(opts *options) *cobra.Command {
	f := &readerFlags{}
	v := &verifyFlags{}
	var versionID uint64
	var versionTime string
	cmd := &cobra.Command{
		Use:   "resolve DID",
		Short: "Print a DID's W3C DID document, now or at an earlier version or time",
		Long: `Resolve prints the DID document (W3C DID Core JSON-LD) on standard output and a
summary of its metadata (versionId, created, updated, deactivated) on standard
error. With --output json it prints the resolution result instead:
{"didDocument": ..., "didDocumentMetadata": ...}.

--version-id N gives version N as it was; --version-time T the version in force
at time T (RFC 3339, e.g. 2025-01-02T15:04:05Z). A deactivated DID resolves to
a document with its id only and deactivated metadata.

--verify checks the answer instead of trusting the node: the document comes
with Merkle proofs against the app hash of a height, whose header a CometBFT
light client verifies against the validators' signatures, from a trust point
(--trust-height and --trust-hash, else the header remembered in
<home>/light/trusted.json, else the genesis in <home>/config/genesis.json).
Repeat --node: the first that is up answers, the others are witnesses that
cross-check the headers; the output names the witnesses that agreed and those
unreachable or behind. The answer must be fresh: within --max-lag blocks of
the witnesses' latest block, signed in a header at most --max-age old. Any
failure exits non-zero, naming what failed; there is no unverified fallback.`,
		Example: `  custos resolve $DID
  custos resolve $DID --version-id 1
  custos resolve $DID --resolver http://127.0.0.1:8080
  custos resolve $DID --verify --node http://node-a:26657 --node http://node-b:26657
  custos resolve $DID --version-time 2025-01-02T15:04:05Z --output json
  custos resolve $DID | jq '.verificationMethod[].publicKeyMultibase'`,
		Args: exactArgs("DID"),
		RunE: explained(opts, func(cmd *cobra.Command, args []string) error {
			id, err := parseDID(args[0])
			if err != nil {
				return err
			}
			var ro resolveOptions
			if versionID != 0 && versionTime != "" {
				return fmt.Errorf("give --version-id or --version-time, not both")
			}
			if cmd.Flags().Changed("version-id") && versionID == 0 {
				return fmt.Errorf("invalid --version-id 0: versions start at 1")
			}
			ro.VersionID = versionID
			if versionTime != "" {
				if ro.VersionTime, err = time.Parse(time.RFC3339, versionTime); err != nil {
					return fmt.Errorf("invalid --version-time %q: give an RFC 3339 time, e.g. 2025-01-02T15:04:05Z", versionTime)
				}
			}
			if err := v.check(cmd); err != nil {
				return err
			}
			if v.on {
				return v.resolve(cmd, opts, &f.node, id, ro)
			}
			r, l, err := f.reader(cmd)
			if err != nil {
				return err
			}
			ctx, cancel := l.context(cmd)
			defer cancel()
			res, err := r.Resolve(ctx, id, ro)
			if err != nil {
				return err
			}
			if opts.output == "json" {
				return opts.print(cmd.OutOrStdout(), res, "")
			}
			b, err := json.MarshalIndent(res.Document, "", "  ")
			if err != nil {
				return err
			}
			if _, err := fmt.Fprintf(cmd.OutOrStdout(), "%s\n", b); err != nil {
				return err
			}
			fmt.Fprintln(cmd.ErrOrStderr(), metadataSummary(res.Metadata))
			return nil
		}),
	}
	v.register(cmd.Flags(), &f.node)
	f.registerResolver(cmd.Flags())
	cmd.Flags().Uint64Var(&versionID, "version-id", 0, "resolve this version instead of the latest")
	cmd.Flags().StringVar(&versionTime, "version-time", "", "resolve the version in force at this RFC 3339 time")
	return cmd
}

func metadataSummary(m didjson.Metadata) string {
	s := "# versionId " + m.VersionID
	if m.NextVersionID == "" {
		s += " (latest)"
	} else {
		s += " (not the latest: next is " + m.NextVersionID + ")"
	}
	s += ", created " + m.Created
	if m.Updated != "" {
		s += ", updated " + m.Updated
	}
	if m.Deactivated {
		s += ", deactivated"
	}
	return s
}
