// Package testnet writes and inspects local multi-node Custos networks: N
// validator homes and K non-validator full nodes under one folder, with one
// shared genesis, distinct 127.0.0.1 ports and persistent peers wired, ready
// to start with `custos start`.
//
// Invariants of a folder written by Init:
//   - node i lives in DIR/node<i>; validators come first (node0..node<N-1>),
//     full nodes after them;
//   - node i uses ports base+10*i+{0 P2P, 1 RPC, 2 resolver, 3 Prometheus},
//     all on 127.0.0.1 and below 32768 (Linux's ephemeral range starts
//     there); the other six ports of each block are reserved;
//   - every home holds the same genesis.json byte for byte: all N validators
//     with equal power and the Custos app_state;
//   - DIR/testnet.json is the nodes table (Load reads it back) and
//     DIR/ports.txt the same table as whitespace-separated text for scripts.
//
// The resolver address is not part of config.toml (CometBFT rejects unknown
// settings there): it is given to `custos start` with --resolver.laddr, as
// Node.StartArgs does.
//
// Status asks each node's RPC (/status, /net_info) and resolver (/healthz)
// how it is doing; it is what `custos testnet status` prints.
package testnet
