package keeper

import (
	"crypto/sha256"

	"github.com/custos-ledger/custos/x/did/types"
)

// parsedTx is what a tx's bytes alone determine: the strict decoding of
// its envelope and body, the bytes its signatures sign, and the DID and key
// URLs it names. A node meets each tx up to three times (preparing a batch
// of checks, CheckTx, FinalizeBlock); parsing it once serves all three.
// Shared between goroutines: nothing may modify it or what it points to.
type parsedTx struct {
	tx   *types.Tx
	body *types.TxBody
	msg  []byte
	// id is the target (body.Did), or idErr why body.Did is not a DID.
	id    types.ID
	idErr error
	// urls[i] is the key URL signature i names, or urlErrs[i] why its
	// name is not one. Both are nil when the tx carries more signatures
	// than the limit, which every caller refuses before reading them.
	urls    []types.URL
	urlErrs []error
}

func parseTx(raw []byte, params types.Params) (*parsedTx, error) {
	tx, body, err := types.DecodeTx(raw, params.MaxTxBytes)
	if err != nil {
		return nil, err
	}
	p := &parsedTx{tx: tx, body: body, msg: types.SignBytes(tx.Body)}
	p.id, p.idErr = types.ParseID(body.Did)
	if len(tx.Signatures) > int(params.MaxSignatures) {
		return p, nil // refused for its count: parsing its key URLs is wasted work
	}
	p.urls = make([]types.URL, len(tx.Signatures))
	p.urlErrs = make([]error, len(tx.Signatures))
	for i, s := range tx.Signatures {
		p.urls[i], p.urlErrs[i] = types.ParseURL(s.VerificationMethod)
	}
	return p, nil
}

// parseCacheSize is how many parsings a keeper keeps, by the SHA-256 of
// the tx: a few blocks and a full mempool's checks. Parsing is a pure
// function of the bytes (and of the keeper's fixed limits), so a kept
// parsing is the one parsing again would give. Only txs that decode are
// kept.
const parseCacheSize = 8192

// parse hashes raw and returns its parsing, from the cache when it can.
func (k *Keeper) parse(raw []byte) (*parsedTx, [32]byte, error) {
	h := sha256.Sum256(raw)
	if p, ok := k.parsed.Get(h); ok {
		return p, h, nil
	}
	p, err := parseTx(raw, k.params)
	if err != nil {
		return nil, h, err
	}
	k.parsed.Add(h, p)
	return p, h, nil
}
