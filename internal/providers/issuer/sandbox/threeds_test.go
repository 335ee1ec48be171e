package sandbox_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/providers/issuer/sandbox"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
	"github.com/comecomepay/comecomepay/internal/testclock"
	"github.com/comecomepay/comecomepay/internal/threeds"
)

func TestThreeDSPlanAndConfirm(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		ctx := context.Background()
		db, err := store.Open(ctx, storetest.URL(t, engine))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		iss := sandbox.New(db, "424242", testclock.New(testclock.Start).Now)
		iss.IssueDelay = 0
		c, err := iss.IssueCard(ctx, card.IssueRequest{Reference: "task-1", MemberName: "JOHN DOE"})
		if err != nil {
			t.Fatal(err)
		}
		if p, _ := iss.Plan(ctx, c.PublicToken); p != "OTP" {
			t.Fatalf("default plan %s", p)
		}
		if err := iss.SetPlan(ctx, "1", "BIO"); err == nil {
			t.Fatal("plan set on an unknown card")
		}
		iss.FailNext("set_3ds_plan", 1)
		if err := iss.SetPlan(ctx, c.PublicToken, "BIO"); err == nil {
			t.Fatal("injected failure ignored")
		}
		if p, _ := iss.Plan(ctx, c.PublicToken); p != "OTP" {
			t.Fatalf("failed call changed the plan to %s", p)
		}
		for _, p := range []threeds.Plan{"BIO", "ALL", "ALL"} {
			if err := iss.SetPlan(ctx, c.PublicToken, p); err != nil {
				t.Fatal(err)
			}
		}
		if p, _ := iss.Plan(ctx, c.PublicToken); p != "ALL" {
			t.Fatalf("plan %s", p)
		}

		iss.FailNext("confirm_3ds", 1)
		if err := iss.Confirm(ctx, "n-1", true); err == nil {
			t.Fatal("injected failure ignored")
		}
		if _, ok, _ := iss.Decision(ctx, "n-1"); ok {
			t.Fatal("a failed call recorded a decision")
		}
		if err := iss.Confirm(ctx, "n-1", true); err != nil {
			t.Fatal(err)
		}
		if err := iss.Confirm(ctx, "n-1", true); err != nil {
			t.Fatalf("repeat: %v", err)
		}
		if err := iss.Confirm(ctx, "n-1", false); err == nil {
			t.Fatal("the opposite decision was accepted")
		}

		body, nid, passcode, err := iss.NewChallenge(threeds.ChallengeSpec{PublicToken: c.PublicToken, Amount: "10.00",
			Currency: threeds.Currency{Alpha: "HKD", Numeric: "344", Exponent: 2}, MerchantName: "M", ExpiresAfter: 300})
		if err != nil || len(passcode) != 6 {
			t.Fatalf("challenge %v %q", err, passcode)
		}
		ev, err := threeds.ParseEvent(body)
		if err != nil || ev.NotificationID != nid || ev.PublicToken() != c.PublicToken || ev.Passcode != passcode || ev.Method() != "OTP" {
			t.Fatalf("payload %s (%v)", body, err)
		}
		var raw map[string]any
		_ = json.Unmarshal(body, &raw)
		if _, isNum := raw["Pubtoken"].(float64); !isNum {
			t.Fatalf("Pubtoken is not a JSON number: %s", body)
		}
	})
}
