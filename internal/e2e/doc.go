// Package e2e holds end-to-end tests: real CometBFT nodes with the Custos
// application, on 127.0.0.1, driven through their RPC.
package e2e
