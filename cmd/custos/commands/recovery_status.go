package commands

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/custos-ledger/custos/x/did/didjson"
	"github.com/custos-ledger/custos/x/did/types"
)

// guardianSetOut is a guardian set as status prints it.
type guardianSetOut struct {
	Guardians []string `json:"guardians"`
	Threshold uint32   `json:"threshold"`
	Delay     string   `json:"delay"`
	// Effective is when a pending change takes effect.
	Effective string `json:"effective,omitempty"`
}

// recoveryOut is a pending recovery as status prints it.
type recoveryOut struct {
	ID                uint64       `json:"id"`
	Initiator         string       `json:"initiator"`
	NewKeys           []keyBinding `json:"newKeys"`
	Threshold         uint32       `json:"threshold"`
	NextKeysCommitted bool         `json:"nextKeysCommitted"`
	Approvals         []string     `json:"approvals"`
	ApprovalsNeeded   uint32       `json:"approvalsNeeded"`
	Initiated         string       `json:"initiated"`
	// Expires applies until the recovery is ready.
	Expires           string   `json:"expires,omitempty"`
	Ready             string   `json:"ready,omitempty"`
	CancelVotes       []string `json:"cancelVotes"`
	CancelVotesNeeded int      `json:"cancelVotesNeeded"`
	// Guardians is the set the recovery was initiated under, which its
	// approvals and cancel votes count against.
	Guardians *guardianSetOut `json:"guardians"`
	// Restores is what the recovered document keeps beside the new keys.
	Restores *restoreOut `json:"restores"`
}

// statusOut is what `custos recovery status` prints.
type statusOut struct {
	DID string `json:"did"`
	// BlockTime is the time of the node's latest block: delays and
	// expiries run on block time.
	BlockTime        string          `json:"blockTime"`
	Guardians        *guardianSetOut `json:"guardians,omitempty"`
	PendingGuardians *guardianSetOut `json:"pendingGuardians,omitempty"`
	Recoveries       []recoveryOut   `json:"recoveries"`
}

func newRecoveryStatusCmd(opts *options, f *didFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "status DID",
		Short: "Show a DID's guardians and its pending recoveries",
		Long: `Status shows the DID's guardians (threshold and delay), a pending change of
them and when it takes effect, and every pending recovery: what it proposes,
who approved it, when it is ready (it executes with the first block at or past
that time) or else when it expires, and the cancel votes against it with how
many are needed (⌈(n+1)/2⌉ of the owner and the n guardians).

Times are UTC, with how far they are from the latest block's time, the clock
the ledger's delays run on. With --output json: {"did", "blockTime",
"guardians", "pendingGuardians", "recoveries": [...]}.`,
		Example: `  custos recovery status $DID
  custos recovery status $DID --output json | jq '.recoveries[] | {id, ready}'`,
		Args: exactArgs("DID"),
		RunE: explained(opts, func(cmd *cobra.Command, args []string) error {
			id, err := parseDID(args[0])
			if err != nil {
				return err
			}
			l, err := f.node.connect(cmd)
			if err != nil {
				return err
			}
			ctx, cancel := l.context(cmd)
			defer cancel()
			res, err := l.Recovery(ctx, id)
			if err != nil {
				return err
			}
			now := l.blockTime(ctx)
			out := renderStatus(id, res, now)
			for i := range out.Recoveries {
				r := &res.Recoveries.Pending[i]
				ro := &out.Recoveries[i]
				ro.Restores = &restoreOut{Version: r.RestoreVersion, Compromised: r.Compromised}
				if r.Compromised && r.CompromisedSince != 0 {
					ro.Restores.CompromisedSince = didjson.FormatTime(r.CompromisedSince)
				}
				if v, err := l.Version(ctx, id, r.RestoreVersion); err == nil {
					if recovered, err := l.recoveredDocument(ctx, id, &v.Record.Document, r.NewKeys, r.Threshold); err == nil {
						if doc, err := recovered(r.NextKeys); err == nil {
							ro.Restores = restoreSummary(r.RestoreVersion, &doc, r.NewKeys, r.Compromised, r.CompromisedSince)
						}
					}
				}
			}
			return opts.print(cmd.OutOrStdout(), out, statusText(out, res, now))
		}),
	}
}

func renderGuardians(c *types.GuardianConfig) *guardianSetOut {
	return &guardianSetOut{Guardians: append([]string{}, c.Guardians...), Threshold: c.Threshold,
		Delay: (time.Duration(c.Delay) * time.Second).String()}
}

func renderStatus(id types.ID, res *types.QueryRecoveryResponse, now time.Time) statusOut {
	gs := &res.Guardians
	out := statusOut{DID: id.String(), BlockTime: now.UTC().Format(time.RFC3339), Recoveries: []recoveryOut{}}
	if len(gs.Current.Guardians) > 0 {
		out.Guardians = renderGuardians(&gs.Current)
	}
	if gs.Pending != nil {
		out.PendingGuardians = renderGuardians(gs.Pending)
		out.PendingGuardians.Effective = didjson.FormatTime(gs.PendingEffective)
	}
	for _, r := range res.Recoveries.Pending {
		// A recovery is judged against the guardian set it was
		// initiated under.
		set := &r.Guardians
		need := (len(set.Guardians) + 2) / 2 // ⌈(n+1)/2⌉
		ro := recoveryOut{ID: r.Id, Initiator: r.Initiator, Threshold: r.Threshold, NextKeysCommitted: r.NextKeys != nil,
			Approvals: append([]string{}, r.Approvals...), ApprovalsNeeded: set.Threshold,
			Initiated: didjson.FormatTime(r.Initiated), CancelVotes: append([]string{}, r.CancelVotes...), CancelVotesNeeded: need,
			Guardians: renderGuardians(set)}
		for _, vm := range r.NewKeys {
			b := keyBinding{ID: id.String() + "#" + vm.Id}
			if pk, err := types.ParsePublicKey(vm.PublicKey); err == nil {
				b.PublicKeyMultibase = pk.Multibase()
			}
			ro.NewKeys = append(ro.NewKeys, b)
		}
		if r.Ready != 0 {
			ro.Ready = didjson.FormatTime(r.Ready)
		} else {
			ro.Expires = didjson.FormatTime(r.Expires)
		}
		out.Recoveries = append(out.Recoveries, ro)
	}
	return out
}

func statusText(out statusOut, res *types.QueryRecoveryResponse, now time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", out.DID)
	if g := out.Guardians; g != nil {
		fmt.Fprintf(&b, "guardians: %d of %d must approve a recovery; delay %s\n", g.Threshold, len(g.Guardians), durationText(res.Guardians.Current.Delay))
		for _, id := range g.Guardians {
			fmt.Fprintf(&b, "  %s\n", id)
		}
	} else {
		b.WriteString("guardians: none (set them with `custos guardians set`)\n")
	}
	if p := out.PendingGuardians; p != nil {
		if len(p.Guardians) == 0 {
			fmt.Fprintf(&b, "pending change: remove every guardian, effective %s\n", when(res.Guardians.PendingEffective, now))
		} else {
			fmt.Fprintf(&b, "pending change: %d of %d, delay %s, effective %s\n", p.Threshold, len(p.Guardians), durationText(res.Guardians.Pending.Delay), when(res.Guardians.PendingEffective, now))
			for _, id := range p.Guardians {
				fmt.Fprintf(&b, "  %s\n", id)
			}
		}
	}
	if len(out.Recoveries) == 0 {
		b.WriteString("recoveries: none pending\n")
	}
	for i, r := range out.Recoveries {
		raw := &res.Recoveries.Pending[i]
		fmt.Fprintf(&b, "recovery %d: proposed by %s at %s\n", r.ID, r.Initiator, r.Initiated)
		keys := make([]string, len(r.NewKeys))
		for j, k := range r.NewKeys {
			keys[j] = "#" + strings.TrimPrefix(k.ID, out.DID+"#") + " " + k.PublicKeyMultibase
		}
		next := ""
		if r.NextKeysCommitted {
			next = "; commits to next keys"
		}
		fmt.Fprintf(&b, "  new keys:     %s (threshold %d%s)\n", strings.Join(keys, ", "), r.Threshold, next)
		if r.Restores != nil {
			b.WriteString(r.Restores.text("  "))
		}
		fmt.Fprintf(&b, "  approvals:    %d of %d needed: %s\n", len(r.Approvals), r.ApprovalsNeeded, strings.Join(r.Approvals, ", "))
		if !slices.Equal(r.Guardians.Guardians, res.Guardians.Current.Guardians) {
			fmt.Fprintf(&b, "  guardians:    the %d it was initiated under (delay %s), not the current set: %s\n",
				len(r.Guardians.Guardians), durationText(raw.Guardians.Delay), strings.Join(r.Guardians.Guardians, ", "))
		}
		if raw.Ready != 0 {
			fmt.Fprintf(&b, "  ready:        %s: executes with the first block at or past it unless cancelled\n", when(raw.Ready, now))
		} else {
			if missing := int(r.ApprovalsNeeded) - len(r.Approvals); missing > 0 {
				fmt.Fprintf(&b, "  ready:        not yet: needs %d more approval(s)\n", missing)
			} else {
				b.WriteString("  ready:        not yet: some approvals no longer count (a guardian was deactivated)\n")
			}
			fmt.Fprintf(&b, "  expires:      %s unless approved by then\n", when(raw.Expires, now))
		}
		votes := "none"
		if len(r.CancelVotes) > 0 {
			votes = strings.Join(r.CancelVotes, ", ")
		}
		fmt.Fprintf(&b, "  cancel votes: %d of %d needed (owner and guardians): %s\n", len(r.CancelVotes), r.CancelVotesNeeded, votes)
	}
	return b.String()
}
