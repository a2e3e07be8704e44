package resolver

import (
	"net/http"

	"github.com/custos-ledger/custos/x/did/keeper"
)

// PathUpgrade is the endpoint of the network's coordinated upgrades.
const PathUpgrade = "/1.0/network/upgrade"

// Upgrade is the answer of GET /1.0/network/upgrade: the scheduled upgrade
// (null: none) and the upgrades applied, oldest first, at height.
type Upgrade struct {
	Height  int64            `json:"height"`
	Plan    *UpgradePlan     `json:"plan"`
	Applied []AppliedUpgrade `json:"applied"`
}

// UpgradePlan is an upgrade scheduled by the governance DID: every node
// must run a release that knows Name at Height.
type UpgradePlan struct {
	Name        string `json:"name"`
	Height      int64  `json:"height"`
	ScheduledAt int64  `json:"scheduledAt"`
}

// AppliedUpgrade is an upgrade whose migration ran at Height.
type AppliedUpgrade struct {
	Name   string `json:"name"`
	Height int64  `json:"height"`
}

func (s *Server) upgrade(w http.ResponseWriter, r *http.Request, _ string) int {
	if !acceptsJSON(r.Header.Values("Accept")) {
		return writeError(w, 0, &apiError{status: http.StatusNotAcceptable, keyword: ErrRepresentationNotSupported, msg: "the upgrade plan is served as " + MediaJSON})
	}
	if aerr := noParams(r); aerr != nil {
		return writeError(w, 0, aerr)
	}
	ctx, cancel := s.requestContext(r)
	defer cancel()
	view, err := s.src.View(ctx)
	if err != nil {
		return writeError(w, 0, s.internal(r, err))
	}
	defer view.Close()
	height, err := view.Height()
	if err != nil {
		return writeError(w, 0, s.internal(r, err))
	}
	plan, err := keeper.UpgradePlan(view)
	if err != nil {
		return writeError(w, 0, s.internal(r, err))
	}
	hist, err := keeper.UpgradeHistory(view)
	if err != nil {
		return writeError(w, 0, s.internal(r, err))
	}
	out := Upgrade{Height: height, Applied: []AppliedUpgrade{}}
	if plan != nil {
		out.Plan = &UpgradePlan{Name: plan.Name, Height: plan.Height, ScheduledAt: plan.ScheduledAt}
	}
	for _, a := range hist.Applied {
		out.Applied = append(out.Applied, AppliedUpgrade{Name: a.Name, Height: a.Height})
	}
	return writeJSON(w, height, out)
}
