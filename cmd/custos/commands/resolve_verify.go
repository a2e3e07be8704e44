package commands

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/custos-ledger/custos/verify"
	"github.com/custos-ledger/custos/x/did/didjson"
	"github.com/custos-ledger/custos/x/did/types"
)

// verifyFlags are the node and trust flags of `custos resolve`. --node is
// repeatable there: with --verify, the first node answers and the others
// are the light client's witnesses.
type verifyFlags struct {
	nf          *nodeFlags
	nodes       []string
	on          bool
	trustHeight int64
	trustHash   string
	trustPeriod time.Duration
}

func (v *verifyFlags) register(fs *pflag.FlagSet, nf *nodeFlags) {
	v.nf = nf
	fs.StringArrayVar(&v.nodes, "node", []string{DefaultNode},
		"RPC address of a Custos node; the "+NodeEnv+" environment variable sets it too. With --verify, repeat it: the first answers, the others are witnesses")
	fs.DurationVar(&nf.timeout, "timeout", DefaultTimeout, "how long to wait for the node (with --verify: for the whole verification)")
	fs.BoolVar(&v.on, "verify", false, "check the answer with Merkle proofs and a light client instead of trusting the node")
	fs.Int64Var(&v.trustHeight, "trust-height", 0, "with --verify: height of a header you trust (with --trust-hash)")
	fs.StringVar(&v.trustHash, "trust-hash", "", "with --verify: hex hash of the header at --trust-height")
	fs.DurationVar(&v.trustPeriod, "trust-period", verify.DefaultTrustPeriod,
		"with --verify: how long a trusted header stays usable (keep it below the chain's unbonding period)")
}

// check validates the flag combination and settles the node to read from.
func (v *verifyFlags) check(cmd *cobra.Command) error {
	fl := cmd.Flags()
	if !v.on {
		for _, name := range []string{"trust-height", "trust-hash", "trust-period"} {
			if fl.Changed(name) {
				return fmt.Errorf("--%s goes with --verify", name)
			}
		}
		if len(v.nodes) > 1 {
			return fmt.Errorf("several --node addresses are for --verify (the others are witnesses): give one without it")
		}
	}
	if !fl.Changed("node") {
		if env := os.Getenv(NodeEnv); env != "" {
			v.nodes = []string{env}
		}
	}
	if len(v.nodes) == 0 || v.nodes[0] == "" {
		return fmt.Errorf("empty --node: give a node's RPC address, e.g. %s", DefaultNode)
	}
	v.nf.node = v.nodes[0]
	if (v.trustHeight > 0) != (v.trustHash != "") || v.trustHeight < 0 {
		return fmt.Errorf("give --trust-height and --trust-hash together: a positive height and the hex hash of its header")
	}
	return nil
}

// verification says what a verified answer was checked against.
type verification struct {
	Height    int64    `json:"height"`
	AppHash   string   `json:"appHash"`
	Primary   string   `json:"primary"`
	Witnesses []string `json:"witnesses"`
	TrustedBy string   `json:"trustedBy"`
}

// resolve resolves id with proofs and a light client; it never falls back
// to an unverified answer.
func (v *verifyFlags) resolve(cmd *cobra.Command, opts *options, nf *nodeFlags, id types.ID, ro resolveOptions) error {
	if !ro.VersionTime.IsZero() {
		return fmt.Errorf("--version-time cannot be verified yet: find the versionId with `custos resolve %s --version-time ...`, then verify it with --verify --version-id N", id)
	}
	addrs := make([]string, len(v.nodes))
	for i, n := range v.nodes {
		a, err := nodeURL(n)
		if err != nil {
			return err
		}
		addrs[i] = a
	}
	l, err := nf.connect(cmd)
	if err != nil {
		return err
	}
	ctx, cancel := l.context(cmd)
	defer cancel()
	chainID, err := l.ChainID(ctx)
	if err != nil {
		return err
	}
	witnesses := addrs[1:]
	if len(witnesses) == 0 {
		witnesses = addrs[:1]
	}
	cfg := verify.Config{ChainID: chainID, Primary: addrs[0], Witnesses: witnesses, TrustPeriod: v.trustPeriod,
		TrustFile: filepath.Join(opts.home, "light", "trusted.json")}
	trustedBy, advice, err := v.trustPoint(&cfg, opts.home)
	if err != nil {
		return err
	}
	c, err := verify.New(ctx, cfg)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("verification failed (timeout): the light client did not start within --timeout %s: %v", nf.timeout, err)
		}
		return fmt.Errorf("verification failed (trust point): the light client for chain %s cannot start from %s: %s; %s",
			chainID, trustedBy, strings.TrimPrefix(err.Error(), "verify: "), advice)
	}
	defer c.Close()
	// Read as of the node's latest block, so that a change the node just
	// reported committed is seen; its app hash is signed by the next header,
	// which the light client waits for (one block at most).
	st, err := l.rpc.Status(ctx)
	if err != nil {
		return l.nodeError(ctx, err)
	}
	res, err := c.ResolveAt(ctx, id, ro.VersionID, st.SyncInfo.LatestBlockHeight)
	switch {
	case errors.Is(err, verify.ErrProof):
		return fmt.Errorf("verification failed (proof): %s: the node at %s sent an answer that does not match the app hash the validators signed; do not trust it, ask another --node",
			strings.TrimPrefix(err.Error(), "verify: "), addrs[0])
	case errors.Is(err, verify.ErrHeader):
		return fmt.Errorf("verification failed (header): %s: the header that carries the app hash could not be verified against the validators' signatures and the witnesses",
			strings.TrimPrefix(err.Error(), "verify: "))
	case errors.Is(err, context.DeadlineExceeded) || (err != nil && ctx.Err() != nil):
		return fmt.Errorf("verification failed (timeout): not done within --timeout %s: %v", nf.timeout, err)
	case err != nil:
		return fmt.Errorf("verification failed: %s", strings.TrimPrefix(err.Error(), "verify: "))
	}
	if res.Head == nil {
		return explain(types.ErrDIDNotFound.Wrapf("%s is not registered: proved absent at height %d (app hash %X)", id, res.Height, res.AppHash))
	}
	return printVerified(cmd, opts, res, verification{Height: res.Height, AppHash: fmt.Sprintf("%X", res.AppHash),
		Primary: addrs[0], Witnesses: witnesses, TrustedBy: trustedBy})
}

// printVerified prints a verified resolution as resolve prints any, and
// on standard error what it was verified against; with --output json, the
// resolution result with a "verification" member.
func printVerified(cmd *cobra.Command, opts *options, res *verify.Resolution, v verification) error {
	doc, err := didjson.RenderDocument(&res.Record.Document)
	if err != nil {
		return fmt.Errorf("the verified document of %s does not render: %v", res.Record.Document.Id, err)
	}
	out := struct {
		resolution
		Verification verification `json:"verification"`
	}{resolution{Document: doc, Metadata: didjson.RenderMetadata(res.Head, res.Record)}, v}
	if v.Witnesses[0] == v.Primary {
		fmt.Fprintln(cmd.ErrOrStderr(), "warning: only one --node, so it is also the witness: headers are checked against the validators' signatures, but not against another node's view of the chain; repeat --node to add witnesses")
	}
	if opts.output == "json" {
		return opts.print(cmd.OutOrStdout(), out, "")
	}
	b, err := json.MarshalIndent(out.Document, "", "  ")
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(cmd.OutOrStdout(), "%s\n", b); err != nil {
		return err
	}
	w := "witnesses"
	if len(v.Witnesses) == 1 {
		w = "witness"
	}
	fmt.Fprintln(cmd.ErrOrStderr(), metadataSummary(out.Metadata))
	fmt.Fprintf(cmd.ErrOrStderr(), "verified at height %d (app hash %s) against %d %s, trusting %s\n", v.Height, v.AppHash, len(v.Witnesses), w, v.TrustedBy)
	return nil
}

// trustPoint fills cfg's trust: --trust-height/--trust-hash, else the
// header remembered in the trust file, else the genesis under home. It
// returns what is trusted and what to do if it does not work.
func (v *verifyFlags) trustPoint(cfg *verify.Config, home string) (string, string, error) {
	if v.trustHeight > 0 {
		hash, err := hex.DecodeString(v.trustHash)
		if err != nil || len(hash) != 32 {
			return "", "", fmt.Errorf("invalid --trust-hash %q: give the 64 hex digits of the hash of the header at --trust-height", v.trustHash)
		}
		cfg.TrustHeight, cfg.TrustHash = v.trustHeight, hash
		return fmt.Sprintf("the header at height %d given by --trust-hash", v.trustHeight),
			"check --trust-height and --trust-hash (the hash of that header on this chain)", nil
	}
	if remembered(cfg.TrustFile, cfg.ChainID) {
		return "the header remembered in " + cfg.TrustFile,
			fmt.Sprintf("if the chain was reset, remove %s to start again from the genesis", cfg.TrustFile), nil
	}
	genPath := filepath.Join(home, "config", "genesis.json")
	if _, err := os.Stat(genPath); errors.Is(err, fs.ErrNotExist) {
		return "", "", fmt.Errorf("no trust point for chain %s: pass --trust-height H --trust-hash HEX (a header hash you got from a source you trust), or --home of a node of this chain (its config/genesis.json; there is none at %s)", cfg.ChainID, genPath)
	}
	gen, err := cmttypes.GenesisDocFromFile(genPath)
	if err != nil {
		return "", "", fmt.Errorf("cannot read the genesis %s: %v", genPath, err)
	}
	cfg.Genesis = gen
	return "the genesis validators of " + genPath,
		fmt.Sprintf("check that --home is a node of chain %s, and that header 1 is younger than --trust-period %s (else pass --trust-height and --trust-hash)", cfg.ChainID, v.trustPeriod), nil
}

// remembered reports whether the trust file holds a header of chainID.
func remembered(path, chainID string) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	var tp struct {
		ChainID string `json:"chain_id"`
		Height  int64  `json:"height"`
	}
	return json.Unmarshal(b, &tp) == nil && tp.ChainID == chainID && tp.Height > 0
}
