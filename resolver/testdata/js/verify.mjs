// Verifies JWTs signed by did:custos keys with did-jwt, resolving the
// issuers through the Custos HTTP resolver with a did-resolver driver for
// the custos method. Run by resolver/js_test.go, which starts a real node
// and resolver, creates the DIDs and signs the JWTs in Go.
//
// Environment:
//   CUSTOS_RESOLVER        the resolver's base URL, e.g. http://127.0.0.1:8080
//   CUSTOS_AUDIENCE        the aud the JWTs carry
//   CUSTOS_JWT_VALID       must verify; its issuer's DID is CUSTOS_DID
//   CUSTOS_DID             the DID that signed CUSTOS_JWT_VALID
//   CUSTOS_JWT_VALID_X     must verify; its issuer's DID is CUSTOS_DID_X
//   CUSTOS_JWT_INVALID_*   each must fail to verify
// Prints one JSON line per JWT and exits 0 when every outcome is the
// expected one.

import { Resolver } from 'did-resolver'
import { verifyJWT } from 'did-jwt'

const base = required('CUSTOS_RESOLVER')
const audience = required('CUSTOS_AUDIENCE')

// custosDriver resolves did:custos DIDs through GET /1.0/identifiers/{did}
// with Accept application/did-resolution: the resolution result, whose
// metadata carries the error keyword when resolution fails.
function custosDriver(resolverURL) {
  return {
    custos: async (did) => {
      const res = await fetch(`${resolverURL}/1.0/identifiers/${encodeURIComponent(did)}`, {
        headers: { Accept: 'application/did-resolution' },
      })
      let body
      try {
        body = await res.json()
      } catch {
        return {
          didResolutionMetadata: { error: 'internalError', message: `HTTP ${res.status} without a resolution result` },
          didDocument: null,
          didDocumentMetadata: {},
        }
      }
      return {
        didResolutionMetadata: body.didResolutionMetadata ?? {},
        didDocument: body.didDocument ?? null,
        didDocumentMetadata: body.didDocumentMetadata ?? {},
      }
    },
  }
}

function required(name) {
  const v = process.env[name]
  if (!v) {
    console.error(`verify.mjs: ${name} is not set`)
    process.exit(2)
  }
  return v
}

const resolver = new Resolver(custosDriver(base))
let failures = 0

// The DID resolves, through did-resolver, to a document with the DID as id.
const did = required('CUSTOS_DID')
const resolved = await resolver.resolve(did)
if (resolved.didDocument?.id !== did || resolved.didResolutionMetadata?.error) {
  console.log(JSON.stringify({ check: 'resolve', ok: false, result: resolved }))
  failures++
} else {
  console.log(JSON.stringify({ check: 'resolve', ok: true, versionId: resolved.didDocumentMetadata.versionId }))
}

const cases = Object.keys(process.env)
  .filter((k) => k.startsWith('CUSTOS_JWT_VALID') || k.startsWith('CUSTOS_JWT_INVALID_'))
  .sort()
for (const name of cases) {
  const expectValid = name.startsWith('CUSTOS_JWT_VALID')
  const issuer = expectValid ? required('CUSTOS_DID' + name.slice('CUSTOS_JWT_VALID'.length)) : undefined
  try {
    const v = await verifyJWT(process.env[name], { resolver, audience, proofPurpose: 'assertionMethod' })
    const ok = expectValid && v.issuer === issuer && v.signer.id === `${issuer}#key-1`
    console.log(JSON.stringify({ check: name, ok, verified: true, issuer: v.issuer, signer: v.signer.id, type: v.signer.type }))
    if (!ok) failures++
  } catch (err) {
    const ok = !expectValid
    console.log(JSON.stringify({ check: name, ok, verified: false, error: String(err.message ?? err) }))
    if (!ok) failures++
  }
}
if (cases.length === 0) {
  console.error('verify.mjs: no CUSTOS_JWT_* to verify')
  process.exit(2)
}
process.exit(failures === 0 ? 0 : 1)
