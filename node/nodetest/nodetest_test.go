package nodetest_test

import (
	"testing"
	"time"

	"github.com/custos-ledger/custos/node/nodetest"
)

func TestStartReachesHeight(t *testing.T) {
	n := nodetest.Start(t, nodetest.Home(t))
	nodetest.WaitForHeight(t, nodetest.Client(t, n), 2, 30*time.Second)
}
