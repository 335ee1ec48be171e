// Package proptest holds property-based tests that drive several domain
// services together (wallet, card fee, swaps, card events) with random
// operation sequences and check the ledger's invariants after every step.
// It has no production code; see ledger_property_test.go.
package proptest
