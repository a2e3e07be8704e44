package proof

import (
	"bytes"
	"crypto/sha256"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestGroupedPaths(t *testing.T) {
	id := bytes.Repeat([]byte{7}, groupLen)
	other := bytes.Repeat([]byte{8}, groupLen)
	head := append([]byte("h/"), id...)
	version := append(append([]byte("v/"), id...), 0, 0, 0, 0, 0, 0, 0, 1)
	otherHead := append([]byte("h/"), other...)
	var p groupedPaths

	// A DID's keys share the 3-byte group prefix; the rest is the key's own.
	require.Equal(t, p.Path(head)[:groupPrefix], p.Path(version)[:groupPrefix])
	require.NotEqual(t, p.Path(head), p.Path(version))
	gh := sha256.Sum256(id)
	require.Equal(t, gh[:groupPrefix], p.Path(head)[:groupPrefix])
	kh := sha256.Sum256(version)
	require.Equal(t, kh[:sha256.Size-groupPrefix], p.Path(version)[groupPrefix:])
	require.NotEqual(t, p.Path(head)[:groupPrefix], p.Path(otherHead)[:groupPrefix])

	// Keys without a group (too short, or no '/' after the prefix) hash whole.
	for _, k := range [][]byte{[]byte("c"), []byte("q"), append([]byte("hx"), id...), head[:len(head)-1]} {
		h := sha256.Sum256(k)
		require.Equal(t, h[:], p.Path(k), "%q", k)
	}
	for _, k := range [][]byte{head, version, []byte("c")} {
		require.Len(t, p.Path(k), p.PathSize())
	}
}
