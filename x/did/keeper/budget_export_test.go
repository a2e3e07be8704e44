package keeper

// Spend takes n bytes from b, as writes earlier in the block would.
func Spend(b *WriteBudget, n int64) { b.left -= n }
