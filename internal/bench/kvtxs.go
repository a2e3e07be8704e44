package bench

import "fmt"

// KVTxs returns n kvstore txs ("key=value") of the given sizes, cycling.
func KVTxs(run string, n int, sizes []int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		size := 64
		if len(sizes) > 0 {
			size = sizes[i%len(sizes)]
		}
		k := fmt.Sprintf("%s-%d=", run, i)
		v := make([]byte, max(1, size-len(k)))
		for j := range v {
			v[j] = 'a' + byte((i+j)%26)
		}
		out[i] = append([]byte(k), v...)
	}
	return out
}

// Sizes returns the sizes of txs.
func Sizes(txs [][]byte) []int {
	out := make([]int, len(txs))
	for i, tx := range txs {
		out[i] = len(tx)
	}
	return out
}
