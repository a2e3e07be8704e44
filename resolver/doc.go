// Package resolver serves Custos DIDs over HTTP: a Universal Resolver
// compatible driver interface (SPEC §5) that answers W3C DID Core 1.0
// resolution, historical resolution (versionId, versionTime), the key event
// log and key status, from committed state only.
//
// State comes from a Source: LocalSource reads the node's own store
// in-process, RPCSource reads any node through its RPC ABCI query path
// /state. A request reads through one View, pinned at one committed height
// for its whole life, so an answer never mixes two heights; the height is
// returned in the X-Custos-Height header (and in the body of history and
// key-status answers).
//
// Invariants:
//   - Nothing here takes part in consensus, and nothing here writes state.
//   - Input is parsed once, at the edge (parse.go): the DID, DID URL and
//     options become typed values before any state is read. Bad input gets
//     a 4xx with an error keyword, never a 500 and never a panic; 500
//     (internalError) is kept for faults of the node or its store.
//   - Rendered documents are cached by (DID, version). Versions are
//     immutable, so a cached rendering is never stale; the head, which
//     changes, is read from state on every request.
//   - The cache, header sizes, URL length and every timeout are bounded by
//     Config; metrics use a private Prometheus registry.
package resolver
