package httpapi_test

import (
	"context"
	"testing"

	"github.com/comecomepay/comecomepay/internal/apptest"
)

// TestPhysicalUpgradeAmbiguousIssuer: an issuer answer that may have been
// a yes is never refunded blindly. A lost reply of an accepted order goes
// on; an issuer that cannot even be asked leaves the order paid and the
// key free, and the recovery job completes it.
func TestPhysicalUpgradeAmbiguousIssuer(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc, c := h.CardHolder(t, "upgrade-ambiguous@example.com")
		h.Deposit(t, acc, "USDT-TRC20", "40")
		h.App.IssuerSim.FailNext("convert_physical_lost_reply", 1)
		d := dataC[upgradeOrder](t, expectC(t, convert(h, acc, convertBody(c.PublicToken, verifiedToken(t, h, acc, c.PublicToken), "USDT-TRC20"), newKey()),
			200, "SUCCESS"))
		if d.Status != "SUBMITTED" || balanceOf(t, h, acc, "USDT-TRC20") != "0" {
			t.Fatalf("lost reply: %v, balance %s", d, balanceOf(t, h, acc, "USDT-TRC20"))
		}

		acc2, c2 := h.CardHolder(t, "upgrade-unresolved@example.com")
		h.Deposit(t, acc2, "USDT-TRC20", "40")
		h.App.IssuerSim.FailNext("convert_physical", 1)
		h.App.IssuerSim.FailNext("void", 1)
		key, body := newKey(), convertBody(c2.PublicToken, verifiedToken(t, h, acc2, c2.PublicToken), "USDT-TRC20")
		expectC(t, convert(h, acc2, body, key), 502, "ISSUER_UNAVAILABLE")
		if balanceOf(t, h, acc2, "USDT-TRC20") != "0" {
			t.Fatalf("the fee of an unresolved order was refunded: %s", balanceOf(t, h, acc2, "USDT-TRC20"))
		}
		var orderID int64
		if err := h.App.DB.SQL.QueryRow(`SELECT id FROM physical_orders WHERE card_id = $1 AND status = 'FEE_PAID'`, c2.ID).Scan(&orderID); err != nil {
			t.Fatal(err)
		}
		if err := h.App.Physical.Recover(context.Background(), orderID, false); err != nil {
			t.Fatal(err)
		}
		// The interim 502 was not stored for the key: the retry sees the order.
		res := convert(h, acc2, body, key)
		if res.Header.Get("Idempotent-Replayed") == "true" {
			t.Fatalf("an interim answer was replayed: %s", res.Body)
		}
		if p := upgradeProgressOf(t, upgradeProgress(h, acc2, c2.PublicToken)); p.Status != "SUBMITTED" || balanceOf(t, h, acc2, "USDT-TRC20") != "0" {
			t.Fatalf("after recovery %v, balance %s", p, balanceOf(t, h, acc2, "USDT-TRC20"))
		}
		verifyLedger(t, h)
	})
}
