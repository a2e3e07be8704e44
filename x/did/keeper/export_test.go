package keeper

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"reflect"

	"github.com/custos-ledger/custos/x/did/types"
)

// SetScheduledPerBlock lets tests lower the bound on timed actions a block
// runs.
func SetScheduledPerBlock(k *Keeper, n int) { k.scheduledPerBlock = n }

// CheckParsedIntact returns an error when the keeper's cached parsing of
// raw is no longer what parsing raw gives: something modified the shared
// parsing. A tx the cache does not hold passes.
func CheckParsedIntact(k *Keeper, raw []byte) error {
	h := sha256.Sum256(raw)
	p, ok := k.parsed.Get(h)
	if !ok {
		return nil
	}
	fresh, err := parseTx(raw, k.params)
	if err != nil {
		return fmt.Errorf("the cache holds a tx that does not parse: %v", err)
	}
	body, err := p.body.Marshal()
	if err != nil {
		return err
	}
	switch {
	case !bytes.Equal(body, fresh.tx.Body):
		return fmt.Errorf("the cached body changed:\ncached %v\nfresh  %v", p.body, fresh.body)
	case !bytes.Equal(p.tx.Body, fresh.tx.Body), !bytes.Equal(p.msg, fresh.msg):
		return fmt.Errorf("the cached envelope or sign bytes changed")
	case !reflect.DeepEqual(p.tx.Signatures, fresh.tx.Signatures):
		return fmt.Errorf("the cached signatures changed")
	case p.id != fresh.id, !reflect.DeepEqual(p.urls, fresh.urls), fmt.Sprint(p.idErr, p.urlErrs) != fmt.Sprint(fresh.idErr, fresh.urlErrs):
		return fmt.Errorf("the cached DID or key URLs changed")
	}
	return nil
}

// CheckVersionsIntact returns an error when a version record the keeper
// caches no longer encodes to what r stores under its key: something
// modified a shared record, or the cache holds one r does not.
func CheckVersionsIntact(k *Keeper, r Reader) error {
	for _, ref := range k.versions.Keys() {
		v, ok := k.versions.Get(ref)
		if !ok {
			continue
		}
		stored, err := r.Get(types.VersionKey(ref.id, ref.n))
		if err != nil {
			return err
		}
		b, err := v.Marshal()
		if err != nil {
			return err
		}
		if !bytes.Equal(b, stored) {
			return fmt.Errorf("version %d of %s: the cached record differs from the stored one", ref.n, ref.id)
		}
	}
	return nil
}
