package store

import (
	"context"
	"testing"
)

// BenchmarkRefuseInTx is the whole cost the guard adds to a pool call: one
// context look-up through a request-like chain of values.
func BenchmarkRefuseInTx(b *testing.B) {
	ctx := WatchTransactions(context.Background())
	type key int
	for i := range 8 {
		ctx = context.WithValue(ctx, key(i), i)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for b.Loop() {
		if err := refuseInTx(ctx, "SELECT 1"); err != nil {
			b.Fatal(err)
		}
	}
}
