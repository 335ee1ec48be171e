package sandbox

import (
	"context"
	"testing"

	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
	"github.com/comecomepay/comecomepay/internal/testclock"
)

// TestSimulatedSecrets: the simulator reveals what it issued, assigns a
// stable first PIN, stores a set PIN, refuses unknown cards and bad PINs,
// and fails every secret call while "reveal" failures are armed.
func TestSimulatedSecrets(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		ctx := context.Background()
		now := testclock.New(testclock.Start).Now
		sim := New(storetest.New(t, engine), "424242", now)
		sim.IssueDelay = 0
		issued, err := sim.IssueCard(ctx, card.IssueRequest{Reference: "task-1"})
		if err != nil {
			t.Fatal(err)
		}
		sec, err := sim.RevealCard(ctx, issued.PublicToken)
		if err != nil {
			t.Fatal(err)
		}
		if Mask(sec.PAN.Value()) != issued.MaskedPAN || len(sec.CVV.Value()) != 3 || sec.Expiry != "02/29" {
			t.Fatalf("revealed %s %s %s for %+v", Mask(sec.PAN.Value()), sec.CVV.Value(), sec.Expiry, issued)
		}
		first, err := sim.PIN(ctx, issued.PublicToken)
		if err != nil || !card.ValidPIN(first.Value()) {
			t.Fatalf("first PIN %v %v", first.Value(), err)
		}
		if again, _ := sim.PIN(ctx, issued.PublicToken); again != first {
			t.Fatal("the first PIN is not stable")
		}
		if err := sim.SetPIN(ctx, issued.PublicToken, "135790"); err != nil {
			t.Fatal(err)
		}
		if got, _ := sim.PIN(ctx, issued.PublicToken); got.Value() != "135790" {
			t.Fatalf("PIN after set %s", got.Value())
		}
		if err := sim.SetPIN(ctx, issued.PublicToken, "12a4"); err == nil {
			t.Fatal("a malformed PIN was accepted")
		}
		if _, err := sim.RevealCard(ctx, "100000001"); err == nil {
			t.Fatal("an unknown card was revealed")
		}
		if _, err := sim.PIN(ctx, "100000001"); err == nil {
			t.Fatal("an unknown card has a PIN")
		}
		sim.FailNext("reveal", 3)
		_, e1 := sim.RevealCard(ctx, issued.PublicToken)
		_, e2 := sim.PIN(ctx, issued.PublicToken)
		e3 := sim.SetPIN(ctx, issued.PublicToken, "2468")
		if e1 == nil || e2 == nil || e3 == nil {
			t.Fatalf("armed failures did not fail: %v %v %v", e1, e2, e3)
		}
		if got, err := sim.PIN(ctx, issued.PublicToken); err != nil || got.Value() != "135790" {
			t.Fatalf("after the failures: %v %v", got.Value(), err)
		}
	})
}
