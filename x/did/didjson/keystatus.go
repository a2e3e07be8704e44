package didjson

import (
	"strconv"

	"github.com/custos-ledger/custos/x/did/types"
)

// KeyStatus answers "was this key valid for this DID at that time".
type KeyStatus struct {
	ID                 string `json:"id"`
	At                 string `json:"at"`
	Status             string `json:"status"` // valid, retired, compromised or unknown
	PublicKeyMultibase string `json:"publicKeyMultibase,omitempty"`
	ValidFrom          string `json:"validFrom,omitempty"`
	ValidUntil         string `json:"validUntil,omitempty"`
	CompromisedSince   string `json:"compromisedSince,omitempty"`
	// ValidFromVersionID and ValidUntilVersionID are the versions of the
	// DID that listed the key first and no longer listed it.
	ValidFromVersionID  string `json:"validFromVersionId,omitempty"`
	ValidUntilVersionID string `json:"validUntilVersionId,omitempty"`
}

// StatusAt returns the period of rec that covers time at (Unix seconds):
// the last period that started at or before at. ok is false when the
// fragment named no key at that time.
func StatusAt(rec *types.KeyRecord, at int64) (types.KeyPeriod, bool) {
	for i := len(rec.Periods) - 1; i >= 0; i-- {
		p := rec.Periods[i]
		if p.ValidFrom > at {
			continue
		}
		return p, true
	}
	return types.KeyPeriod{}, false
}

// RenderKeyStatus renders the status of url at time at (Unix seconds) from
// its key record (nil: the fragment never named a key). A key is valid at
// at if its period started at or before at and had not ended by then; a
// compromised key is reported compromised from its compromisedSince (or its
// revocation) on, and also for times before the revocation that are at or
// after compromisedSince.
func RenderKeyStatus(url types.URL, rec *types.KeyRecord, at int64) KeyStatus {
	ks := KeyStatus{ID: url.String(), At: FormatTime(at), Status: "unknown"}
	if rec == nil {
		return ks
	}
	p, ok := StatusAt(rec, at)
	if !ok {
		return ks
	}
	pk, err := types.ParsePublicKey(p.PublicKey)
	if err == nil {
		ks.PublicKeyMultibase = pk.Multibase()
	}
	ks.ValidFrom = FormatTime(p.ValidFrom)
	ks.ValidFromVersionID = strconv.FormatUint(p.ValidFromVersion, 10)
	if p.ValidUntilVersion != 0 {
		ks.ValidUntil = FormatTime(p.ValidUntil)
		ks.ValidUntilVersionID = strconv.FormatUint(p.ValidUntilVersion, 10)
	}
	if p.CompromisedSince != 0 {
		ks.CompromisedSince = FormatTime(p.CompromisedSince)
	}
	switch {
	case p.Status == types.KEY_STATUS_COMPROMISED && (at >= p.ValidUntil || (p.CompromisedSince != 0 && at >= p.CompromisedSince)):
		ks.Status = "compromised"
	case p.Status == types.KEY_STATUS_VALID || at < p.ValidUntil:
		ks.Status = "valid"
	default:
		ks.Status = "retired"
	}
	return ks
}
