package commands

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/custos-ledger/custos/x/did/didjson"
)

func newHistoryCmd(opts *options) *cobra.Command {
	f := &readerFlags{}
	cmd := &cobra.Command{
		Use:   "history DID",
		Short: "Print a DID's key event log: every operation, oldest first",
		Long: `History prints every operation on the DID with the versionId it produced,
the block height and time, the transaction hash and what changed (keys added,
removed or rotated, revocation reasons, services, relationships, threshold,
memo). With --output json: {"did": ..., "events": [...]}.`,
		Example: `  custos history $DID
  custos history $DID --output json | jq '.events[] | select(.operation == "revokeKey")'`,
		Args: exactArgs("DID"),
		RunE: explained(opts, func(cmd *cobra.Command, args []string) error {
			id, err := parseDID(args[0])
			if err != nil {
				return err
			}
			r, l, err := f.reader(cmd)
			if err != nil {
				return err
			}
			ctx, cancel := l.context(cmd)
			defer cancel()
			events, err := r.History(ctx, id)
			if err != nil {
				return err
			}
			var b strings.Builder
			tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "SEQ\tVERSION\tOPERATION\tHEIGHT\tTIME\tCHANGES\tTX")
			for _, ev := range events {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\t%s\n", ev.Sequence, ev.VersionID, ev.Operation, ev.Height, ev.Time, changes(id.String(), ev), ev.TxHash)
			}
			tw.Flush()
			res := struct {
				DID    string          `json:"did"`
				Events []didjson.Event `json:"events"`
			}{id.String(), events}
			return opts.print(cmd.OutOrStdout(), res, b.String())
		}),
	}
	f.node.register(cmd.Flags(), false)
	f.registerResolver(cmd.Flags())
	return cmd
}

// changes summarizes an event in one line, with fragments instead of DID
// URLs.
func changes(did string, ev didjson.Event) string {
	frags := func(urls []string) string {
		out := make([]string, len(urls))
		for i, u := range urls {
			out[i] = "#" + strings.TrimPrefix(u, did+"#")
		}
		return strings.Join(out, ",")
	}
	var parts []string
	if len(ev.KeysAdded) > 0 {
		parts = append(parts, "added "+frags(ev.KeysAdded))
	}
	if len(ev.KeysRemoved) > 0 {
		verb := "removed "
		if ev.Operation == "revokeKey" {
			verb = "revoked "
		}
		removed := verb + frags(ev.KeysRemoved)
		if ev.Reason != "" {
			removed += " (" + ev.Reason
			if ev.CompromisedSince != "" {
				removed += " since " + ev.CompromisedSince
			}
			removed += ")"
		}
		parts = append(parts, removed)
	}
	if len(ev.KeysRotated) > 0 {
		parts = append(parts, "rotated "+frags(ev.KeysRotated))
	}
	if len(ev.KeysCompromised) > 0 {
		marked := "old key of " + frags(ev.KeysCompromised) + " compromised"
		if ev.CompromisedSince != "" {
			marked += " since " + ev.CompromisedSince
		}
		parts = append(parts, marked)
	}
	if ev.Relationships && ev.Operation == "update" {
		parts = append(parts, "relationships")
	}
	if ev.Services {
		parts = append(parts, "services")
	}
	if ev.Threshold != 0 && ev.Operation != "revokeKey" && ev.Operation != "rotateKey" {
		parts = append(parts, fmt.Sprintf("threshold %d", ev.Threshold))
	}
	if ev.Memo != "" {
		parts = append(parts, fmt.Sprintf("memo %q", ev.Memo))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, "; ")
}
