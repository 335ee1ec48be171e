package main

import (
	"context"
	"strings"
	"testing"
)

func TestReconcileCommand(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	getenv := envOf(map[string]string{"COMECOMEPAY_DATA_DIR": t.TempDir(), "COMECOMEPAY_MODE": "sandbox", "COMECOMEPAY_PASSWORD_HASH": "fast"})
	var out strings.Builder
	if err := run(ctx, []string{"comecomepay", "reconcile"}, getenv, &out); err != nil ||
		!strings.Contains(out.String(), "0 card(s) checked against the issuer, 0 mismatch(es)") {
		t.Fatalf("reconcile: %v %s", err, out.String())
	}
	if err := run(ctx, []string{"comecomepay", "reconcile", "now"}, getenv, &out); err == nil {
		t.Fatal("reconcile with an argument succeeded")
	}
}
