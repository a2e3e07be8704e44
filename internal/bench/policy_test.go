package bench

import (
	"testing"
)

// PolicyCosts must get every create through under each policy (a create
// a policy refuses fails the figure), and report one figure per policy
// against the open chain's.
func TestPolicyCosts(t *testing.T) {
	figs, err := PolicyCosts(t.TempDir(), 20)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"open, no stamp", "open, stamp", "endorsed"}
	if len(figs) != len(want) {
		t.Fatalf("%d figures, want %d", len(figs), len(want))
	}
	for i, f := range figs {
		if f.Policy != want[i] || f.Creates != 20 {
			t.Errorf("figure %d: %+v", i, f)
		}
		if f.TotalUs != f.CheckUs+f.BlockUs || f.AddedUs != f.TotalUs-figs[0].TotalUs {
			t.Errorf("figure %d does not add up: %+v", i, f)
		}
	}
	t.Log("\n" + PolicyTable(figs))
	if figs[0].AddedUs != 0 {
		t.Errorf("the open chain adds %v to itself", figs[0].AddedUs)
	}
}
