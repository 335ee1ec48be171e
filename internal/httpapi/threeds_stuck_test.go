package httpapi_test

import (
	"context"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
)

// TestThreeDSStuckDecisionForwardedAgain: a decision whose process died
// after committing PROCESSING is forwarded again by a repeated
// confirmation once it has been stuck for a while, and only then.
func TestThreeDSStuckDecisionForwardedAgain(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc, c := h.CardHolder(t, "tds-stuck@example.com")
		nid := raise3DS(t, h, c.PublicToken, map[string]any{"auth_method": "BIO", "amount": 10, "currency": "HKD"}).NotificationID
		if _, err := h.App.DB.SQL.Exec(`UPDATE threeds_challenges SET challenge_status = 'PROCESSING', confirmation_status = 'SUCCESS',
			confirmed_at = $1, updated_at = $1 WHERE notification_id = $2`, h.Clock.Now().UnixMicro(), nid); err != nil {
			t.Fatal(err)
		}
		// Moments later it may still be on its way: a replay, not a second call.
		if rec := confirmedRecord(t, confirm3DS(h, acc, nid, "SUCCESS").Expect(t, 200, "")); rec.ChallengeStatus != "PROCESSING" {
			t.Fatalf("early repeat %+v", rec)
		}
		if _, ok, _ := h.App.IssuerSim.Decision(context.Background(), nid); ok {
			t.Fatal("the decision was forwarded while another request might still be forwarding it")
		}
		h.Clock.Advance(time.Minute)
		if rec := confirmedRecord(t, confirm3DS(h, acc, nid, "SUCCESS").Expect(t, 200, "")); rec.ChallengeStatus != "SUCCESS" {
			t.Fatalf("repeat of a stuck decision %+v", rec)
		}
		if approve, ok, err := h.App.IssuerSim.Decision(context.Background(), nid); err != nil || !ok || !approve {
			t.Fatalf("issuer decision %v %v %v", approve, ok, err)
		}
	})
}
