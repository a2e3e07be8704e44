package commands

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/custos-ledger/custos/cmd/custos/keyring"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// didFlags are the flags every did command shares.
type didFlags struct {
	node    nodeFlags
	keyring keyringFlags
	memo    string
	out     string
}

// txFlags are the flags of the commands that change an existing DID.
type txFlags struct {
	signers         []string
	expectedVersion uint64
}

func (f *txFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&f.signers, "signer", nil,
		"keyring key that signs as a controller, NAME or NAME=FRAGMENT; repeat for m-of-n DIDs (default: the keyring's capabilityInvocation keys of the DID, as many as its threshold)")
	fs.Uint64Var(&f.expectedVersion, "expected-version", 0,
		"build on this versionId instead of the latest; the ledger refuses the change (stale_version) if the DID has moved on since")
}

// didEnv is what one run of a did command works with.
type didEnv struct {
	cmd  *cobra.Command
	opts *options
	kr   *keyring.Keyring
	l    *ledger
	memo string
	// out is --out: write the tx there instead of broadcasting it.
	out string
	// What the tx is built on, for a tx file: the target at its expected
	// version, the guardian taking a recovery step, the guardian set.
	builtOn   *txbuild.FileDID
	guardian  *txbuild.FileDID
	guardians *txbuild.FileGuardians
	// endorsement is, for a create on an endorsed chain, who may endorse it.
	endorsement *txbuild.FileEndorsement
}

func (f *didFlags) env(cmd *cobra.Command, opts *options) (*didEnv, error) {
	kr, err := f.keyring.open(cmd, opts.home)
	if err != nil {
		return nil, err
	}
	l, err := f.node.connect(cmd)
	if err != nil {
		return nil, err
	}
	return &didEnv{cmd: cmd, opts: opts, kr: kr, l: l, memo: f.memo, out: f.out}, nil
}

// parseDID parses a DID argument; a malformed one is explained like a
// refusal.
func parseDID(s string) (types.ID, error) {
	id, err := types.ParseID(s)
	if err != nil {
		return types.ID{}, explain(err)
	}
	return id, nil
}

// target is the version of a DID a change is built on.
type target struct {
	id     types.ID
	head   types.Head
	record types.VersionRecord
}

// readTarget reads the DID's latest version, or version expected when it
// is not 0, and the chain id. A deactivated DID is refused here with the
// ledger's own error, before any key is unlocked.
func (e *didEnv) readTarget(id types.ID, expected uint64) (*target, string, error) {
	ctx, cancel := e.l.context(e.cmd)
	defer cancel()
	chainID, err := e.l.ChainID(ctx)
	if err != nil {
		return nil, "", err
	}
	var res *types.QueryDIDResponse
	if expected == 0 {
		res, err = e.l.Current(ctx, id)
	} else {
		res, err = e.l.Version(ctx, id, expected)
	}
	if err != nil {
		return nil, "", err
	}
	if res.Head.Deactivated {
		return nil, "", explain(types.ErrDeactivated.Wrapf("%s was deactivated at version %d", id, res.Head.Version))
	}
	if e.builtOn, err = txbuild.DIDState(id, res.Record.Version, &res.Record.Document); err != nil {
		return nil, "", err
	}
	return &target{id: id, head: res.Head, record: res.Record}, chainID, nil
}

// checkDocument applies the ledger's document rules with the chain's
// limits before anything is signed. When the node does not serve its
// params, the ledger alone checks.
func (e *didEnv) checkDocument(ctx context.Context, doc types.Document) error {
	p, err := e.l.Params(ctx)
	if err != nil {
		return nil
	}
	if _, err := types.ValidateDocument(&doc, p); err != nil {
		return explain(err)
	}
	return nil
}

// submit signs body with the signers' keyring keys, broadcasts it and
// waits for its block; with --out, it writes the tx file instead and
// returns errTxWritten.
func (e *didEnv) submit(id types.ID, body types.TxBody, signers []plannedSigner) (committed, error) {
	body.Memo = e.memo
	b, err := body.Marshal()
	if err != nil {
		return committed{}, fmt.Errorf("cannot encode the transaction: %v", err)
	}
	sigs, err := e.signatures(id, b, signers)
	if err != nil {
		return committed{}, err
	}
	if e.out != "" {
		if err := e.writeTxFile(body, sigs); err != nil {
			return committed{}, err
		}
		return committed{}, errTxWritten
	}
	tx, err := types.EncodeTx(b, sigs)
	if err != nil {
		return committed{}, fmt.Errorf("cannot encode the transaction: %v", err)
	}
	if tx, err = stampIfNeeded(e.cmd, e.l, &body, tx); err != nil {
		return committed{}, err
	}
	ctx, cancel := e.l.context(e.cmd)
	defer cancel()
	return e.l.submit(ctx, tx)
}

// txResult is what a did command prints once its transaction is committed.
type txResult struct {
	DID       string       `json:"did"`
	Operation string       `json:"operation"`
	VersionID string       `json:"versionId"`
	Height    int64        `json:"height"`
	TxHash    string       `json:"txHash"`
	Keys      []keyBinding `json:"keys,omitempty"`
	// NextKeys is the pre-rotation commitment the change made, if any.
	NextKeys *nextKeysOut `json:"nextKeys,omitempty"`
}

// keyBinding says which keyring key a fragment of the DID is.
type keyBinding struct {
	ID                 string `json:"id"`
	Key                string `json:"key"`
	PublicKeyMultibase string `json:"publicKeyMultibase"`
}

func (e *didEnv) print(id types.ID, op string, c committed, keys []keyBinding) error {
	return e.printResult(e.result(id, op, c, keys), "", nil)
}

func (e *didEnv) result(id types.ID, op string, c committed, keys []keyBinding) txResult {
	return txResult{DID: id.String(), Operation: op, VersionID: strconv.FormatUint(c.Version, 10),
		Height: c.Height, TxHash: c.TxHash, Keys: keys}
}

// printResult prints r, with extra lines of text after the standard ones;
// asJSON is what --output json prints (r when nil).
func (e *didEnv) printResult(r txResult, extra string, asJSON any) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n  operation: %s\n  versionId: %s\n  height:    %d\n  tx:        %s\n", r.DID, r.Operation, r.VersionID, r.Height, r.TxHash)
	for _, k := range r.Keys {
		name := k.Key
		if name == "" {
			name = "held elsewhere"
		}
		fmt.Fprintf(&b, "  key:       #%s = %s (%s)\n", strings.TrimPrefix(k.ID, r.DID+"#"), name, k.PublicKeyMultibase)
	}
	if r.NextKeys != nil {
		fmt.Fprintf(&b, "  next keys: %s\n", r.NextKeys.text())
	}
	b.WriteString(extra)
	if asJSON == nil {
		asJSON = r
	}
	return e.opts.print(e.cmd.OutOrStdout(), asJSON, b.String())
}

// explained runs a command and, with --output json, also prints a refusal
// as JSON on standard output for scripts.
func explained(opts *options, run func(*cobra.Command, []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		err := explain(run(cmd, args))
		if errors.Is(err, errTxWritten) {
			return nil
		}
		var r *refusal
		if errors.As(err, &r) && opts.output == "json" {
			_ = opts.print(cmd.OutOrStdout(), struct {
				Error *refusal `json:"error"`
			}{r}, "")
		}
		return err
	}
}
