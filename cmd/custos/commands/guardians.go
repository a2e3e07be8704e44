package commands

import (
	"context"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/custos-ledger/custos/app"
	"github.com/custos-ledger/custos/x/did/didjson"
	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

func newGuardiansCmd(opts *options) *cobra.Command {
	f := &didFlags{}
	cmd := &cobra.Command{
		Use:   "guardians",
		Short: "Choose the guardian DIDs that can recover a DID",
		Long: `Guardians are other DIDs on the ledger. Once threshold-many of them approve a
recovery (custos recovery), the DID's controller keys are replaced by the
proposed ones after a delay, during which the owner is told (history, events)
and can cancel. See docs/recovery.md for the rules and the threat model.`,
		Example: `  custos guardians set $DID --guardian $BOB --guardian $CAROL --guardian $DAVE --threshold 2 --delay 72h
  custos guardians set $DID --none
  custos recovery status $DID`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	pf := cmd.PersistentFlags()
	f.node.register(pf, true)
	f.keyring.register(pf)
	pf.StringVar(&f.memo, "memo", "", "a note recorded with the change in the DID's history (public)")
	cmd.AddCommand(newGuardiansSetCmd(opts, f))
	return cmd
}

func newGuardiansSetCmd(opts *options, f *didFlags) *cobra.Command {
	var guardians []string
	var threshold uint32
	var delay time.Duration
	var none bool
	tf := &txFlags{}
	cmd := &cobra.Command{
		Use:   "set DID --guardian DID [--guardian DID ...] --threshold G --delay DURATION",
		Short: "Set, change or remove a DID's guardians, their threshold and the recovery delay",
		Long: `Set names the DID's guardians (registered, active DIDs other than the DID
itself), how many of them must approve a recovery (--threshold) and how long
an approved recovery waits before it executes (--delay, at least the chain's
recovery_min_delay), during which the owner can cancel it.

The first set takes effect at once, unless the DID has a pre-rotation
commitment: then it takes effect after its own --delay (the current keys
alone must not install guardians who could recover the DID at once; a
rotation to the committed keys cancels it meanwhile). A change to an
existing set takes effect only after the current delay, so that a thief
holding the DID's keys cannot swap the guardians quickly; a recovery
initiated meanwhile supersedes it, and while a recovery is pending the
guardians cannot change at all (guardians_locked): cancel the recovery, or
wait until it executes or expires, first.
--none removes every guardian (also after the current delay).

The DID's controller keys sign, as for custos did commands (--signer).`,
		Example: `  custos guardians set $DID --guardian $BOB --guardian $CAROL --guardian $DAVE --threshold 2 --delay 72h
  custos guardians set $DID --guardian $BOB --threshold 1 --delay 24h --signer alice
  custos guardians set $DID --none`,
		Args: exactArgs("DID"),
		RunE: explained(opts, func(cmd *cobra.Command, args []string) error {
			id, err := parseDID(args[0])
			if err != nil {
				return err
			}
			var gids []types.ID
			var delaySeconds int64
			if none {
				if len(guardians) > 0 || cmd.Flags().Changed("threshold") || cmd.Flags().Changed("delay") {
					return fmt.Errorf("--none removes every guardian: give no --guardian, --threshold or --delay with it")
				}
			} else {
				if gids, err = parseGuardians(guardians); err != nil {
					return err
				}
				if !cmd.Flags().Changed("threshold") {
					return fmt.Errorf("no --threshold given: say how many of the %d guardians must approve a recovery, e.g. --threshold %d", len(gids), len(gids)/2+1)
				}
				if !cmd.Flags().Changed("delay") {
					return fmt.Errorf("no --delay given: say how long an approved recovery waits before it executes (the owner can cancel meanwhile), e.g. --delay 72h")
				}
				if delay <= 0 || delay%time.Second != 0 {
					return fmt.Errorf("invalid --delay %s: give a positive whole number of seconds, e.g. 72h or 90s", delay)
				}
				delaySeconds = int64(delay / time.Second)
			}
			e, err := f.env(cmd, opts)
			if err != nil {
				return err
			}
			t, chainID, err := e.readTarget(id, tf.expectedVersion)
			if err != nil {
				return err
			}
			ctx, cancel := e.l.context(cmd)
			defer cancel()
			// The change names the guardian state's revision it replaces,
			// so that it can apply only once.
			rs, err := e.l.Recovery(ctx, id)
			if err != nil {
				return err
			}
			body := txbuild.SetGuardians(chainID, id, t.record.Version, rs.Guardians.Revision, gids, threshold, delaySeconds)
			p, err := e.l.Params(ctx)
			if err != nil {
				return err
			}
			if _, err := keeper.GuardianConfig(id, body.GetSetGuardians(), p, nil); err != nil {
				return explain(err)
			}
			signers, err := e.partial(controllerSigners(e.kr, id, &t.record.Document, nil, tf.signers, ""))
			if err != nil {
				return err
			}
			c, err := e.submit(id, body, signers)
			if err != nil {
				return err
			}
			return e.printEvent(id, c, nil, nil, nil)
		}),
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&guardians, "guardian", nil, "guardian DID; repeatable")
	fl.Uint32Var(&threshold, "threshold", 0, "how many guardians must approve a recovery (required with --guardian)")
	fl.DurationVar(&delay, "delay", 0, "how long an approved recovery waits before it executes, e.g. 72h (required with --guardian)")
	fl.BoolVar(&none, "none", false, "remove every guardian")
	tf.register(fl)
	f.registerOut(fl)
	return cmd
}

// parseGuardians parses --guardian DIDs: at least one. The ledger's rules
// on them (keeper.GuardianConfig) are checked once the chain's limits are
// known.
func parseGuardians(specs []string) ([]types.ID, error) {
	if len(specs) == 0 {
		return nil, fmt.Errorf("no --guardian given: name at least one guardian DID (or pass --none to remove the guardians)")
	}
	var out []types.ID
	for _, s := range specs {
		g, err := parseDID(s)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, nil
}

// eventResult is what guardians and recovery commands print: the tx and
// what its first history entry says.
type eventResult struct {
	txResult
	RecoveryID uint64 `json:"recoveryId,omitempty"`
	Guardian   string `json:"guardian,omitempty"`
	Effective  string `json:"effective,omitempty"`
	Detail     string `json:"detail,omitempty"`
	// Restores is, for an initiation, what the recovered document keeps.
	Restores *restoreOut `json:"restores,omitempty"`
}

// restoreOut is what a recovery's document is built from: the version it
// restores and what of it stays besides the proposed keys.
type restoreOut struct {
	Version  uint64   `json:"version"`
	Methods  []string `json:"methods"`
	Services []string `json:"services"`
	// CompromisedSince is set when the keys the recovery removes are to
	// be recorded compromised ("" with Compromised: from their removal).
	Compromised      bool   `json:"compromised"`
	CompromisedSince string `json:"compromisedSince,omitempty"`
}

// text renders what a recovery restores, for initiate and status.
func (r *restoreOut) text(indent string) string {
	var b strings.Builder
	methods, services := "none", "none"
	if len(r.Methods) > 0 {
		methods = "#" + strings.Join(r.Methods, ", #")
	}
	if len(r.Services) > 0 {
		services = "#" + strings.Join(r.Services, ", #")
	}
	if r.Methods == nil {
		fmt.Fprintf(&b, "%srestores:     version %d\n", indent, r.Version)
	} else {
		fmt.Fprintf(&b, "%srestores:     version %d, keeping methods %s and services %s beside the new keys\n", indent, r.Version, methods, services)
	}
	if r.Compromised {
		since := "their removal"
		if r.CompromisedSince != "" {
			since = r.CompromisedSince
		}
		fmt.Fprintf(&b, "%scompromised:  every key it removes, from %s\n", indent, since)
	}
	return b.String()
}

// printEvent prints a committed guardians or recovery tx with what its
// history entry says: the operation, recovery id, guardian, effective or
// ready time and detail.
func (e *didEnv) printEvent(id types.ID, c committed, keys []keyBinding, next *nextKeysOut, restore *restoreOut) error {
	ctx, cancel := e.l.context(e.cmd)
	defer cancel()
	attrs, err := e.l.txEvent(ctx, c.TxHash)
	if err != nil {
		return err
	}
	r := eventResult{txResult: e.result(id, attrs["operation"], c, keys), Guardian: attrs["guardian"],
		Effective: attrs["effective"], Detail: attrs["detail"]}
	r.RecoveryID, _ = strconv.ParseUint(attrs["recovery_id"], 10, 64)
	r.NextKeys = next
	r.Restores = restore
	var b strings.Builder
	if r.RecoveryID != 0 {
		fmt.Fprintf(&b, "  recovery:  %d\n", r.RecoveryID)
	}
	if r.Guardian != "" {
		fmt.Fprintf(&b, "  guardian:  %s\n", r.Guardian)
	}
	now := e.l.blockTime(ctx)
	switch {
	case r.Effective == "":
	case r.Operation == "setGuardians":
		fmt.Fprintf(&b, "  effective: %s\n", whenText(r.Effective, now))
	default:
		fmt.Fprintf(&b, "  ready:     %s\n", whenText(r.Effective, now))
	}
	if r.Detail != "" {
		fmt.Fprintf(&b, "  detail:    %s\n", r.Detail)
	}
	if restore != nil {
		b.WriteString(restore.text("  "))
	}
	return e.printResult(r.txResult, b.String(), r)
}

// txEvent returns the attributes of the first custos.did event of a
// committed tx.
func (l *ledger) txEvent(ctx context.Context, txHash string) (map[string]string, error) {
	hash, err := hex.DecodeString(txHash)
	if err != nil {
		return nil, err
	}
	res, err := l.rpc.Tx(ctx, hash, false)
	if err != nil {
		return nil, l.nodeError(ctx, err)
	}
	attrs := map[string]string{}
	for _, ev := range res.TxResult.Events {
		if ev.Type != app.EventType {
			continue
		}
		for _, a := range ev.Attributes {
			attrs[a.Key] = a.Value
		}
		break
	}
	return attrs, nil
}

// blockTime returns the time of the node's latest block, the clock that
// delays and expiries run on; the local clock when the node does not say.
func (l *ledger) blockTime(ctx context.Context) time.Time {
	st, err := l.rpc.Status(ctx)
	if err != nil {
		return time.Now()
	}
	return st.SyncInfo.LatestBlockTime
}

// whenText renders an RFC 3339 time with how far it is from now, e.g.
// "2025-01-02T15:04:05Z (in 3h12m)".
func whenText(ts string, now time.Time) string {
	t, err := time.Parse(time.RFC3339, ts)
	if err != nil {
		return ts
	}
	return ts + " (" + relative(t.Unix(), now) + ")"
}

// when renders a Unix time as whenText does.
func when(unix int64, now time.Time) string {
	return didjson.FormatTime(unix) + " (" + relative(unix, now) + ")"
}

// relative says how far unix is from now: "in 3h12m", "5s ago", "now".
func relative(unix int64, now time.Time) string {
	d := unix - now.Unix()
	switch {
	case d > 0:
		return "in " + durationText(d)
	case d < 0:
		return durationText(-d) + " ago"
	}
	return "now"
}

// durationText renders a number of seconds compactly: 45s, 2m5s, 3h12m, 72h.
func durationText(s int64) string {
	h, m, sec := s/3600, s%3600/60, s%60
	switch {
	case h > 0 && m == 0:
		return fmt.Sprintf("%dh", h)
	case h > 0:
		return fmt.Sprintf("%dh%dm", h, m)
	case m > 0 && sec == 0:
		return fmt.Sprintf("%dm", m)
	case m > 0:
		return fmt.Sprintf("%dm%ds", m, sec)
	}
	return fmt.Sprintf("%ds", sec)
}
