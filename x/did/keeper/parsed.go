package keeper

import (
	"crypto/sha256"

	"github.com/custos-ledger/custos/x/did/types"
)

// ParsedTx is what a tx's bytes alone determine: the strict decoding of
// its envelope and body, the bytes its signatures sign, and the DID and key
// URLs it names. A node meets each tx up to three times (preparing a batch
// of checks, CheckTx, FinalizeBlock); Facts may keep a parsing to serve all
// three. Shared between goroutines: nothing may modify it or what it points
// to, which is why it is read through methods.
type ParsedTx struct {
	hash [32]byte
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

// ParseTx decodes raw strictly (types.DecodeTx, at most params.MaxTxBytes)
// and parses the DID and key URLs it names. It is a pure function of raw
// and of params.MaxTxBytes and params.MaxSignatures: a tx whose signatures
// are over the limit keeps its key URLs unparsed (it is refused for its
// count before they are read). The error is the decoding's refusal; a bad
// target or key URL is not one here: it is kept, and the rules refuse the
// tx with it in their order.
func ParseTx(raw []byte, params types.Params) (*ParsedTx, error) {
	tx, body, err := types.DecodeTx(raw, params.MaxTxBytes)
	if err != nil {
		return nil, err
	}
	p := &ParsedTx{hash: sha256.Sum256(raw), tx: tx, body: body, msg: types.SignBytes(tx.Body)}
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

// Hash returns the SHA-256 of the tx's bytes, its tx hash.
func (p *ParsedTx) Hash() [32]byte { return p.hash }

// Body returns the decoded body. Shared: read only.
func (p *ParsedTx) Body() *types.TxBody { return p.body }

// Signatures returns the tx's signatures. Shared: read only.
func (p *ParsedTx) Signatures() []types.Signature { return p.tx.Signatures }

// SignBytes returns the bytes every signature of the tx signs. Shared:
// read only.
func (p *ParsedTx) SignBytes() []byte { return p.msg }

// Target returns the DID the tx names, or why its name is not one.
func (p *ParsedTx) Target() (types.ID, error) { return p.id, p.idErr }

// Parse parses raw through the keeper's Facts.
func (k *Keeper) Parse(raw []byte) (*ParsedTx, error) { return k.facts.ParseTx(raw, k.params) }
