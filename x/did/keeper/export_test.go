package keeper

// SetScheduledPerBlock lets tests lower the bound on timed actions a block
// runs.
func SetScheduledPerBlock(k *Keeper, n int) { k.scheduledPerBlock = n }
