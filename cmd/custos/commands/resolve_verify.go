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
	maxAge      time.Duration
	maxLag      int64
	witnessWait time.Duration
}

func (v *verifyFlags) register(fs *pflag.FlagSet, nf *nodeFlags) {
	v.nf = nf
	fs.StringArrayVar(&v.nodes, "node", []string{DefaultNode},
		"RPC address of a Custos node; the "+NodeEnv+" environment variable sets it too. With --verify, repeat it: the first answers (the next that is up when it is down), the others are witnesses")
	fs.DurationVar(&nf.timeout, "timeout", DefaultTimeout, "how long to wait for the node (with --verify: for the whole verification)")
	fs.BoolVar(&v.on, "verify", false, "check the answer with Merkle proofs and a light client instead of trusting the node")
	fs.Int64Var(&v.trustHeight, "trust-height", 0, "with --verify: height of a header you trust (with --trust-hash)")
	fs.StringVar(&v.trustHash, "trust-hash", "", "with --verify: hex hash of the header at --trust-height")
	fs.DurationVar(&v.trustPeriod, "trust-period", verify.DefaultTrustPeriod,
		"with --verify: how long a trusted header stays usable (keep it below the chain's unbonding period)")
	fs.DurationVar(&v.maxAge, "max-age", verify.DefaultMaxAge,
		"with --verify: how much older than this computer's clock the header that signs the answer may be")
	fs.Int64Var(&v.maxLag, "max-lag", verify.DefaultMaxLag,
		"with --verify: how many blocks the answering node's latest block may trail the witnesses' latest")
	fs.DurationVar(&v.witnessWait, "witness-wait", verify.DefaultWitnessWait,
		"with --verify: how long to wait for a witness to have the header that signs the answer before counting it behind")
}

// check validates the flag combination and settles the node to read from.
func (v *verifyFlags) check(cmd *cobra.Command) error {
	fl := cmd.Flags()
	if !v.on {
		for _, name := range []string{"trust-height", "trust-hash", "trust-period", "max-age", "max-lag", "witness-wait"} {
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
	if v.maxAge <= 0 {
		return fmt.Errorf("invalid --max-age %s: give a positive duration, e.g. %s", v.maxAge, verify.DefaultMaxAge)
	}
	if v.witnessWait <= 0 {
		return fmt.Errorf("invalid --witness-wait %s: give a positive duration, e.g. %s", v.witnessWait, verify.DefaultWitnessWait)
	}
	if v.maxLag <= 0 {
		return fmt.Errorf("invalid --max-lag %d: give a positive number of blocks, e.g. %d", v.maxLag, verify.DefaultMaxLag)
	}
	return nil
}

// verification says what a verified answer was checked against.
type verification struct {
	Height     int64    `json:"height"`
	AppHash    string   `json:"appHash"`
	HeaderTime string   `json:"headerTime"`
	Primary    string   `json:"primary"`
	Witnesses  []string `json:"witnesses"`
	// Unavailable are the other nodes that did not cross-check the header:
	// unreachable, or behind.
	Unavailable []verify.NodeReport `json:"unavailable,omitempty"`
	TrustedBy   string              `json:"trustedBy"`
}

// resolve resolves id with proofs and a light client; it never falls back
// to an unverified answer.
func (v *verifyFlags) resolve(cmd *cobra.Command, opts *options, nf *nodeFlags, id types.ID, ro resolveOptions) error {
	if !ro.VersionTime.IsZero() {
		return fmt.Errorf("--version-time cannot be verified yet: find the versionId with `custos resolve %s --version-time ...`, then verify it with --verify --version-id N", id)
	}
	if nf.timeout <= 0 {
		return fmt.Errorf("invalid --timeout %s: give a positive duration, e.g. 30s", nf.timeout)
	}
	addrs := make([]string, len(v.nodes))
	for i, n := range v.nodes {
		a, err := nodeURL(n)
		if err != nil {
			return err
		}
		addrs[i] = a
	}
	ctx, cancel := context.WithTimeout(cmd.Context(), nf.timeout)
	defer cancel()
	witnesses := addrs[1:]
	if len(witnesses) == 0 {
		witnesses = addrs[:1]
	}
	cfg := verify.Config{Primary: addrs[0], Witnesses: witnesses, TrustPeriod: v.trustPeriod,
		MaxAge: v.maxAge, MaxLag: v.maxLag, WitnessWait: v.witnessWait, TrustFile: filepath.Join(opts.home, "light", "trusted.json")}
	genPath, err := v.trustPoint(&cfg, opts.home)
	if err != nil {
		return err
	}
	c, err := verify.New(ctx, cfg)
	if err != nil {
		return v.startError(ctx, nf, &cfg, genPath, err)
	}
	defer c.Close()
	trustedBy := v.trustedBy(c, &cfg, genPath)
	// Read as of the primary's latest block, so that a change the node just
	// reported committed is seen; its app hash is signed by the next header,
	// which the light client waits for (one block at most).
	res, err := c.Resolve(ctx, id, ro.VersionID)
	switch {
	case errors.Is(err, verify.ErrProof):
		return fmt.Errorf("verification failed (proof): %s: the node at %s sent an answer that does not match the app hash the validators signed; do not trust it, ask another --node",
			strings.TrimPrefix(err.Error(), "verify: "), c.Primary())
	case errors.Is(err, verify.ErrStale):
		return fmt.Errorf("verification failed (stale): %s (--max-lag %d, --max-age %s)", strings.TrimPrefix(err.Error(), "verify: "), v.maxLag, v.maxAge)
	case errors.Is(err, verify.ErrWitness):
		return fmt.Errorf("verification failed (witness): %s", strings.TrimPrefix(err.Error(), "verify: "))
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
	out := verification{Height: res.Height, AppHash: fmt.Sprintf("%X", res.AppHash), HeaderTime: res.HeaderTime.UTC().Format(time.RFC3339Nano),
		Primary: res.Primary, Witnesses: res.Agreed(), TrustedBy: trustedBy}
	if out.Witnesses == nil {
		out.Witnesses = []string{}
	}
	for _, w := range res.Witnesses {
		if w.State != verify.NodeAgreed {
			out.Unavailable = append(out.Unavailable, w)
		}
	}
	return printVerified(cmd, opts, res, out, len(addrs) > 1)
}

// startError explains why the light client did not start.
func (v *verifyFlags) startError(ctx context.Context, nf *nodeFlags, cfg *verify.Config, genPath string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "verify: ")
	switch {
	case errors.Is(err, verify.ErrNoNode):
		return fmt.Errorf("cannot reach any node: %s: start one with `custos start`, or point --node (or %s) at running nodes", strings.TrimPrefix(msg, "no node answered: "), NodeEnv)
	case errors.Is(err, verify.ErrTrustFile):
		return fmt.Errorf("verification failed (trust point): %s; if the chain was reset or this home was used with another chain, remove %s to start again from the genesis (or pass --trust-height and --trust-hash)", msg, cfg.TrustFile)
	case errors.Is(err, verify.ErrNoTrustPoint):
		msg, _, _ = strings.Cut(msg, ": give")
		return fmt.Errorf("%s: pass --trust-height H --trust-hash HEX (a header hash you got from a source you trust), or --home of a node of this chain (its config/genesis.json; there is none at %s)", msg, genPath)
	case ctx.Err() != nil:
		return fmt.Errorf("verification failed (timeout): the light client did not start within --timeout %s: %v", nf.timeout, err)
	}
	var from, advice string
	switch {
	case cfg.TrustHeight > 0:
		from = fmt.Sprintf("the header at height %d given by --trust-hash", cfg.TrustHeight)
		advice = "check --trust-height and --trust-hash (the hash of that header on this chain)"
	case cfg.Genesis == nil:
		from = "the header remembered in " + cfg.TrustFile
		advice = fmt.Sprintf("if the chain was reset, remove %s to start again from the genesis", cfg.TrustFile)
	default:
		// The remembered header is tried before the genesis; which one the
		// client started from is not known when it fails.
		from = "the header remembered in " + cfg.TrustFile + " or else the genesis validators of " + genPath
		advice = fmt.Sprintf("if the chain was reset, remove %s; check that --home is a node of this chain, and that its header 1 is younger than --trust-period %s (else pass --trust-height and --trust-hash)", cfg.TrustFile, v.trustPeriod)
	}
	return fmt.Errorf("verification failed (trust point): the light client cannot start from %s: %s; %s", from, msg, advice)
}

// trustedBy says what the started client trusts.
func (v *verifyFlags) trustedBy(c *verify.Client, cfg *verify.Config, genPath string) string {
	switch c.Trust() {
	case verify.TrustGiven:
		return fmt.Sprintf("the header at height %d given by --trust-hash", cfg.TrustHeight)
	case verify.TrustRemembered:
		return "the header remembered in " + cfg.TrustFile
	default:
		return "the genesis validators of " + genPath
	}
}

// printVerified prints a verified resolution as resolve prints any, and
// on standard error what it was verified against; with --output json, the
// resolution result with a "verification" member.
func printVerified(cmd *cobra.Command, opts *options, res *verify.Resolution, v verification, several bool) error {
	doc, err := didjson.RenderDocument(&res.Record.Document)
	if err != nil {
		return fmt.Errorf("the verified document of %s does not render: %v", res.Record.Document.Id, err)
	}
	out := struct {
		resolution
		Verification verification `json:"verification"`
	}{resolution{Document: doc, Metadata: didjson.RenderMetadata(res.Head, res.Record)}, v}
	stderr := cmd.ErrOrStderr()
	for _, u := range v.Unavailable {
		switch u.State {
		case verify.NodeUnreachable:
			fmt.Fprintf(stderr, "warning: the node at %s is unreachable (%s): it did not cross-check the answer\n", u.Addr, u.Err)
		case verify.NodeBehind:
			fmt.Fprintf(stderr, "warning: the node at %s is behind (at height %d): it did not cross-check the answer\n", u.Addr, u.LatestHeight)
		}
	}
	if len(v.Witnesses) == 0 {
		if several {
			fmt.Fprintln(stderr, "warning: no other --node cross-checked the header: it is checked against the validators' signatures only")
		} else {
			fmt.Fprintln(stderr, "warning: only one --node, so it is also the witness: headers are checked against the validators' signatures, but not against another node's view of the chain; repeat --node to add witnesses")
		}
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
	against := "no witness"
	switch len(v.Witnesses) {
	case 0:
	case 1:
		against = "witness " + v.Witnesses[0]
	default:
		against = "witnesses " + strings.Join(v.Witnesses, ", ")
	}
	fmt.Fprintln(stderr, metadataSummary(out.Metadata))
	fmt.Fprintf(stderr, "verified at height %d (app hash %s, signed in a header of %s) from %s against %s, trusting %s\n",
		v.Height, v.AppHash, res.HeaderTime.UTC().Format(time.RFC3339), v.Primary, against, v.TrustedBy)
	return nil
}

// trustPoint fills cfg's trust: --trust-height/--trust-hash, and the
// genesis under home when it exists (the client prefers the header
// remembered in the trust file to it). It returns the genesis path.
func (v *verifyFlags) trustPoint(cfg *verify.Config, home string) (string, error) {
	genPath := filepath.Join(home, "config", "genesis.json")
	if v.trustHeight > 0 {
		hash, err := hex.DecodeString(v.trustHash)
		if err != nil || len(hash) != 32 {
			return "", fmt.Errorf("invalid --trust-hash %q: give the 64 hex digits of the hash of the header at --trust-height", v.trustHash)
		}
		cfg.TrustHeight, cfg.TrustHash = v.trustHeight, hash
		return genPath, nil
	}
	if _, err := os.Stat(genPath); errors.Is(err, fs.ErrNotExist) {
		return genPath, nil
	}
	gen, err := cmttypes.GenesisDocFromFile(genPath)
	if err != nil {
		return "", fmt.Errorf("cannot read the genesis %s: %v", genPath, err)
	}
	cfg.Genesis = gen
	return genPath, nil
}
