// Package ceremony builds a network's genesis from what each operator sends
// a coordinator, without sharing homes: every operator makes a home of their
// own (custos init), publishes a validator info file (Info: node id,
// consensus public key, proof of possession of that key); a coordinator
// writes a genesis (New), adds each operator's validator (AddValidator,
// which checks the proof of possession) and the governance keys
// (AddGovernanceKey, SetGovernanceThreshold); each operator checks and
// installs the result into their home (Install).
//
// Invariants: a genesis this package writes validates as CometBFT's
// GenesisDoc and as Custos's app_state; no consensus key and no node id
// appears twice in it; every validator it adds proved it holds its key.
package ceremony
