package keeper_test

import (
	"bytes"
	"fmt"
	"reflect"
	"sync"

	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/types"
)

// auditing is a keeper.Facts that keeps every parsing and version record
// it hands out, so a test can check that they are still what computing
// them afresh gives: the keeper must not modify a shared answer, which a
// memory of answers (package app/accel) would hand out again.
type auditing struct {
	keeper.Facts
	params types.Params

	mu       sync.Mutex
	parsed   map[string]*keeper.ParsedTx
	versions map[string]*types.VersionRecord // by state key
}

func newAuditing(f keeper.Facts, params types.Params) *auditing {
	return &auditing{Facts: f, params: params, parsed: map[string]*keeper.ParsedTx{}, versions: map[string]*types.VersionRecord{}}
}

func (a *auditing) ParseTx(raw []byte, params types.Params) (*keeper.ParsedTx, error) {
	p, err := a.Facts.ParseTx(raw, params)
	if err == nil {
		a.mu.Lock()
		a.parsed[string(raw)] = p
		a.mu.Unlock()
	}
	return p, err
}

func (a *auditing) Version(r keeper.Reader, id types.ID, n uint64) (*types.VersionRecord, error) {
	v, err := a.Facts.Version(r, id, n)
	if err == nil && v != nil {
		a.mu.Lock()
		a.versions[string(types.VersionKey(id, n))] = v
		a.mu.Unlock()
	}
	return v, err
}

// checkParsed returns an error when the parsing of raw handed out is no
// longer what parsing raw gives. A tx never parsed passes.
func (a *auditing) checkParsed(raw []byte) error {
	a.mu.Lock()
	p, ok := a.parsed[string(raw)]
	a.mu.Unlock()
	if !ok {
		return nil
	}
	fresh, err := keeper.ParseTx(raw, a.params)
	if err != nil {
		return fmt.Errorf("a parsing was handed out for a tx that does not parse: %v", err)
	}
	body, err := p.Body().Marshal()
	if err != nil {
		return err
	}
	freshBody, err := fresh.Body().Marshal()
	if err != nil {
		return err
	}
	switch {
	case !bytes.Equal(body, freshBody):
		return fmt.Errorf("the shared body changed:\nshared %v\nfresh  %v", p.Body(), fresh.Body())
	case !reflect.DeepEqual(p, fresh):
		return fmt.Errorf("the shared parsing changed:\nshared %+v\nfresh  %+v", p, fresh)
	}
	return nil
}

// checkVersions returns an error when a version record handed out no
// longer encodes to what r stores under its key.
func (a *auditing) checkVersions(r keeper.Reader) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	for key, v := range a.versions {
		stored, err := r.Get([]byte(key))
		if err != nil {
			return err
		}
		b, err := v.Marshal()
		if err != nil {
			return err
		}
		if !bytes.Equal(b, stored) {
			return fmt.Errorf("version record %x: the shared record differs from the stored one", key)
		}
	}
	return nil
}
