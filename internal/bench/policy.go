package bench

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"syscall"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/custos-ledger/custos/app"
	"github.com/custos-ledger/custos/internal/didtest"
	"github.com/custos-ledger/custos/x/did/txbuild"
)

// PolicyFigure is what a node pays for one honest one-key create under a
// write policy: CPU time of CheckTx and of executing it in a block
// (FinalizeBlock and Commit), in one process, per create.
type PolicyFigure struct {
	Policy      string  `json:"policy"`
	CheckUs     float64 `json:"check_us"`
	BlockUs     float64 `json:"block_us"`
	TotalUs     float64 `json:"total_us"`
	AddedUs     float64 `json:"added_us"` // TotalUs minus the open chain's
	Creates     int     `json:"creates"`
	StampedBits uint32  `json:"stamped_bits,omitempty"`
}

// policyChain is the chain id of the policy figures' in-process app.
const policyChain = "custos-bench-policy"

// policyStampBits is the difficulty the stamp figure is taken at:
// verifying a stamp costs one hash whatever its difficulty, so a low one
// keeps pre-computing the stamps quick.
const policyStampBits = 12

// policyRounds is how many times each policy is measured.
const policyRounds = 3

// PolicyCosts measures what each write policy adds per create on a node:
// n fresh one-key creates through CheckTx and then one block (three
// rounds, interleaved; the median), on an
// in-process app over a real badger store in dir, for an open chain
// without stamps, one with stamps and an endorsed one. The figures are
// process CPU time (user and system) per create; only their differences
// mean much on a shared machine.
func PolicyCosts(dir string, n int) ([]PolicyFigure, error) {
	ek := didtest.KeyIn("bench policy", "endorser")
	eid, ecreate := didtest.OneKey(policyChain, ek, "")
	cases := []struct {
		name  string
		edit  func(*app.GenesisState)
		setup [][]byte
		tx    func(i int) ([]byte, error)
	}{
		{"open, no stamp", func(*app.GenesisState) {}, nil, func(i int) ([]byte, error) {
			_, tx := didtest.OneKey(policyChain, didtest.KeyIn("bench policy open", fmt.Sprint(i)), "")
			return tx, nil
		}},
		{"open, stamp", func(g *app.GenesisState) { g.Params.StampDifficulty = policyStampBits }, nil, func(i int) ([]byte, error) {
			_, tx := didtest.OneKey(policyChain, didtest.KeyIn("bench policy stamp", fmt.Sprint(i)), "")
			return txbuild.AddStamp(context.Background(), tx, policyStampBits, nil)
		}},
		{"endorsed", func(g *app.GenesisState) {
			g.Params.WritePolicy = app.PolicyEndorsed
			g.Params.Endorsers = []string{eid.String()}
		}, [][]byte{ecreate}, func(i int) ([]byte, error) {
			k := didtest.KeyIn("bench policy endorsed", fmt.Sprint(i))
			id, body, err := txbuild.Create(policyChain, txbuild.SimpleDocument("key-1", didtest.Pub(k)), "")
			if err != nil {
				return nil, err
			}
			return txbuild.Sign(body, txbuild.NewSigner(id, "key-1", k), txbuild.NewSigner(eid, "key-1", ek))
		}},
	}
	// The policies run interleaved, policyRounds times, so drift on a
	// shared machine hits them alike; each figure is the round with the
	// median total.
	defer os.RemoveAll(dir)
	runs := make([][]PolicyFigure, len(cases))
	for r := 0; r < policyRounds; r++ {
		for i, c := range cases {
			txs := make([][]byte, n)
			for j := range txs {
				tx, err := c.tx(r*n + j)
				if err != nil {
					return nil, fmt.Errorf("policy %s: %w", c.name, err)
				}
				txs[j] = tx
			}
			f, err := policyRun(fmt.Sprintf("%s/%d-%d", dir, r, i), c.edit, c.setup, txs)
			if err != nil {
				return nil, fmt.Errorf("policy %s: %w", c.name, err)
			}
			f.Policy = c.name
			if c.name == "open, stamp" {
				f.StampedBits = policyStampBits
			}
			runs[i] = append(runs[i], f)
		}
	}
	out := make([]PolicyFigure, len(cases))
	for i, fs := range runs {
		slices.SortFunc(fs, func(a, b PolicyFigure) int { return cmp.Compare(a.TotalUs, b.TotalUs) })
		out[i] = fs[len(fs)/2]
	}
	for i := range out {
		out[i].AddedUs = out[i].TotalUs - out[0].TotalUs
	}
	return out, nil
}

func policyRun(dir string, edit func(*app.GenesisState), setup, txs [][]byte) (PolicyFigure, error) {
	defer os.RemoveAll(dir)
	a, err := app.New(app.DefaultConfig(dir))
	if err != nil {
		return PolicyFigure{}, err
	}
	defer a.Close()
	g := app.DefaultGenesisState()
	edit(&g)
	state, err := json.Marshal(g)
	if err != nil {
		return PolicyFigure{}, err
	}
	ctx := context.Background()
	if _, err := a.InitChain(ctx, &abci.RequestInitChain{ChainId: policyChain, AppStateBytes: state, InitialHeight: 1}); err != nil {
		return PolicyFigure{}, err
	}
	// Blocks run at the wall clock, as CheckTx judges time by it.
	block := func(h int64, txs [][]byte) error {
		res, err := a.FinalizeBlock(ctx, &abci.RequestFinalizeBlock{Height: h, Time: time.Now(), Txs: txs})
		if err != nil {
			return err
		}
		for _, r := range res.TxResults {
			if r.Code != 0 {
				return fmt.Errorf("block %d: code %d: %s", h, r.Code, r.Log)
			}
		}
		_, err = a.Commit(ctx, &abci.RequestCommit{})
		return err
	}
	if err := block(1, setup); err != nil {
		return PolicyFigure{}, err
	}
	c0 := cpuTime()
	for _, tx := range txs {
		res, err := a.CheckTx(ctx, &abci.RequestCheckTx{Tx: tx})
		if err != nil {
			return PolicyFigure{}, err
		}
		if res.Code != 0 {
			return PolicyFigure{}, fmt.Errorf("CheckTx: code %d: %s", res.Code, res.Log)
		}
	}
	c1 := cpuTime()
	if err := block(2, txs); err != nil {
		return PolicyFigure{}, err
	}
	c2 := cpuTime()
	per := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(len(txs)) }
	f := PolicyFigure{CheckUs: per(c1 - c0), BlockUs: per(c2 - c1), Creates: len(txs)}
	f.TotalUs = f.CheckUs + f.BlockUs
	return f, nil
}

// cpuTime is the process's CPU time so far, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// PolicyTable renders the policy figures as markdown.
func PolicyTable(fs []PolicyFigure) string {
	s := "| write policy | CheckTx (µs) | block (µs) | total (µs) | added to an open chain without stamps (µs) |\n|---|---|---|---|---|\n"
	for _, f := range fs {
		s += fmt.Sprintf("| %s | %.0f | %.0f | %.0f | %+.0f |\n", f.Policy, f.CheckUs, f.BlockUs, f.TotalUs, f.AddedUs)
	}
	return s
}
