package keeper_test

import (
	"crypto/ed25519"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/internal/didtest"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// The arguments of transcript commands: names, lists, numbers, durations.

func (w *transcript) commitment(t *testing.T, d *datadriven.TestData) *types.NextKeys {
	next := w.opt(d, "next")
	if len(next) == 0 {
		return nil
	}
	threshold := uint64(1)
	if d.HasArg("next-threshold") {
		threshold = w.uint(t, d, "next-threshold")
	}
	var pks []types.PublicKey
	for _, k := range next {
		pks = append(pks, w.pub(k))
	}
	return txbuild.Commitment(uint32(threshold), pks...)
}

// key returns the Ed25519 key named name and remembers its public key.
func (w *transcript) key(name string) ed25519.PrivateKey {
	k := didtest.Key("transcript " + name)
	w.keyNames[string(didtest.Pub(k).Multicodec())] = name
	return k
}

func (w *transcript) pub(name string) types.PublicKey { return didtest.Pub(w.key(name)) }

// xpub returns the X25519 key named name and remembers it.
func (w *transcript) xpub(name string) types.PublicKey {
	pk := didtest.X25519("transcript " + name)
	w.keyNames[string(pk.Multicodec())] = "x25519:" + name
	return pk
}

func (w *transcript) did(t *testing.T, d *datadriven.TestData) types.ID {
	require.NotEmpty(t, d.CmdArgs, "%s: name the DID", d.Pos)
	return w.named(t, d.CmdArgs[0].Key)
}

func (w *transcript) named(t *testing.T, name string) types.ID {
	id, ok := w.dids[name]
	require.True(t, ok, "no DID named %s", name)
	return id
}

// opt returns the values of an argument, commas splitting them, or nil.
func (w *transcript) opt(d *datadriven.TestData, key string) []string {
	a, ok := d.Arg(key)
	if !ok {
		return nil
	}
	var out []string
	for _, v := range a.Vals {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

func (w *transcript) arg(t *testing.T, d *datadriven.TestData, key string) []string {
	v := w.opt(d, key)
	require.NotEmpty(t, v, "%s: %s needs %s=", d.Pos, d.Cmd, key)
	return v
}

func (w *transcript) uint(t *testing.T, d *datadriven.TestData, key string) uint64 {
	n, err := strconv.ParseUint(w.arg(t, d, key)[0], 10, 64)
	require.NoError(t, err, d.Pos)
	return n
}

// seconds parses a duration such as 24h or 90s.
func (w *transcript) seconds(t *testing.T, s string) int64 {
	dur, err := time.ParseDuration(s)
	require.NoError(t, err)
	return int64(dur / time.Second)
}

// at prints a block time as the time since genesis.
func at(unix int64) string { return "T+" + dur(unix-genesis) }

func dur(s int64) string { return (time.Duration(s) * time.Second).String() }

// sortedNames lists the names of the DIDs the transcript created, longest
// DID string first so that a replacement never cuts a longer one.
func (w *transcript) sortedNames() []string {
	ids := make([]string, 0, len(w.names))
	for s := range w.names {
		ids = append(ids, s)
	}
	sort.Slice(ids, func(i, j int) bool {
		if len(ids[i]) != len(ids[j]) {
			return len(ids[i]) > len(ids[j])
		}
		return ids[i] < ids[j]
	})
	return ids
}
