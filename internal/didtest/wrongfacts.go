package didtest

import (
	"sync"

	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/types"
)

// The wrong memories below are accelerations made wrong on purpose: the
// differential tests (app/accel, x/did/keeper) require that running with
// one of them changes a result they compare. Each wraps a keeper.Facts.

// TrustingSigs is a wrong signature memory: once a key has verified a
// signature, it answers true for any signature under that key, whatever
// the message.
func TrustingSigs(f keeper.Facts) keeper.Facts {
	return &trustingSigs{Facts: f, good: map[types.PublicKey]bool{}}
}

type trustingSigs struct {
	keeper.Facts
	mu   sync.Mutex
	good map[types.PublicKey]bool
}

func (s *trustingSigs) Verify(pk types.PublicKey, msg, sig []byte) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.good[pk] {
		return true
	}
	ok := s.Facts.Verify(pk, msg, sig)
	s.good[pk] = ok
	return ok
}

// PrefixParses is a wrong parse memory: it names a parsing by the first 48
// bytes of the tx (the envelope's tags, the chain id and the start of the
// target DID) instead of the hash of all of it, so two txs on one DID
// share a parsing.
func PrefixParses(f keeper.Facts) keeper.Facts {
	return &prefixParses{Facts: f, m: map[string]*keeper.ParsedTx{}}
}

type prefixParses struct {
	keeper.Facts
	mu sync.Mutex
	m  map[string]*keeper.ParsedTx
}

func (p *prefixParses) ParseTx(raw []byte, params types.Params) (*keeper.ParsedTx, error) {
	k := string(raw[:min(48, len(raw))])
	p.mu.Lock()
	defer p.mu.Unlock()
	if parsed, ok := p.m[k]; ok {
		return parsed, nil
	}
	parsed, err := p.Facts.ParseTx(raw, params)
	if err == nil {
		p.m[k] = parsed
	}
	return parsed, err
}

// LatestVersions is a wrong version memory: it names a record by its DID
// alone, so a DID's later versions read as the first one remembered.
func LatestVersions(f keeper.Facts) keeper.Facts {
	return &latestVersions{Facts: f, m: map[types.ID]*types.VersionRecord{}}
}

type latestVersions struct {
	keeper.Facts
	mu sync.Mutex
	m  map[types.ID]*types.VersionRecord
}

func (l *latestVersions) Version(r keeper.Reader, id types.ID, n uint64) (*types.VersionRecord, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if v, ok := l.m[id]; ok {
		return v, nil
	}
	v, err := l.Facts.Version(r, id, n)
	if err == nil && v != nil {
		l.m[id] = v
	}
	return v, err
}
