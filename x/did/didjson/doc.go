// Package didjson renders Custos state as W3C DID Core 1.0 JSON-LD: the DID
// document, its document metadata, history entries and key status. State
// is canonical protobuf; JSON exists only here, on the way out.
//
// Invariants: @context starts with https://www.w3.org/ns/did/v1 then
// https://w3id.org/security/multikey/v1; every key reference is an absolute
// DID URL; verification methods are Multikey; times are whole-second UTC
// (RFC 3339 with a Z); field order is fixed by struct order.
package didjson
