package main

import (
	"context"
	"strings"
	"testing"

	"github.com/comecomepay/comecomepay/internal/audit"
)

func TestTiersCommand(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	getenv := envOf(map[string]string{"COMECOMEPAY_DATA_DIR": t.TempDir(), "COMECOMEPAY_MODE": "sandbox", "COMECOMEPAY_PASSWORD_HASH": "fast"})
	var out strings.Builder
	if err := run(ctx, []string{"comecomepay", "tiers", "list"}, getenv, &out); err != nil || !strings.Contains(out.String(), "V4") {
		t.Fatalf("list: %v %s", err, out.String())
	}
	// Moving the V1/V2 boundary changes both tiers in one command.
	out.Reset()
	if err := run(ctx, []string{"comecomepay", "tiers", "set", "1,V1,0,15,0.2,0.1,0.05,0", "2,V2,16,30,0.25,0.15,0.1,0.05,Silver"}, getenv, &out); err != nil ||
		!strings.Contains(out.String(), "Silver") || !strings.Contains(out.String(), "0–15 qualified referrals") {
		t.Fatalf("set: %v %s", err, out.String())
	}
	for _, args := range [][]string{
		{"tiers"}, {"tiers", "set"}, {"tiers", "bogus"}, {"tiers", "delete", "x"},
		{"tiers", "set", "1,V1,0,12,0.2,0.1,0.05,0.05"},   // V2 no longer starts right after V1
		{"tiers", "set", "2,V2,16,30,1.5,0.1,0.05,0.05"},  // rate above 1
		{"tiers", "set", "2,V2,16,30,0.6,0.1,0.5,0.05"},   // L1 + L2 card above 1
		{"tiers", "set", "2,V2,16,30,-0.1,0.1,0.05,0.05"}, // negative rate
		{"tiers", "set", "2,V2,16,30,0.2,0.1"},            // too few fields
		{"tiers", "delete", "2"},                          // gap between V1 and V3
		{"tiers", "delete", "9"},                          // unknown tier
		{"tiers", "set", "5,V5,0,0,0.2,0.1,0.05,0.05"},    // overlaps V1
	} {
		if err := run(ctx, append([]string{"comecomepay"}, args...), getenv, &out); err == nil {
			t.Errorf("%v succeeded", args)
		}
	}
	out.Reset()
	if err := run(ctx, []string{"comecomepay", "tiers", "list"}, getenv, &out); err != nil || !strings.Contains(out.String(), "Silver") {
		t.Fatalf("a refused change altered the table: %v %s", err, out.String())
	}
	// The one change that went through is in the audit log, by the CLI,
	// with the table before and after; the refused ones left nothing.
	a := openTestApp(t, getenv)
	rows, n, err := a.Audit.List(ctx, audit.Filter{Action: "tier_config."}, 10, 0)
	if err != nil || n != 1 || rows[0].Actor.Type != audit.ActorCLI || !strings.Contains(rows[0].After, "Silver") ||
		strings.Contains(rows[0].Before, "Silver") {
		t.Fatalf("audit rows %d %+v %v", n, rows, err)
	}
}
