package httpapi_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/swap"
)

// TestSwapAmbiguousIssuerAnswers: an issuer failure that may have happened
// is never simply refunded. A lost reply of an applied recharge settles the
// swap; an issuer that cannot even be asked leaves it pending, and the
// recovery job finishes it; the books always match the issuer.
func TestSwapAmbiguousIssuerAnswers(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc, c := h.CardHolder(t, "swap-ambiguous@example.com")
		h.Deposit(t, acc, "USDT-TRC20", "200")
		body := swapBody("USDT-TRC20", "HKD", 50, "card_id", c.ID)

		// The recharge happened but its answer was lost: the void finds it
		// applied, so the swap completes.
		h.App.IssuerSim.FailNext("recharge_lost_reply", 1)
		d := cmData(t, postSwap(h, acc, body).Expect(t, 200, ""))
		if d["status"] != "completed" || cardListBalance(t, h, acc, c) != "381.42" {
			t.Fatalf("after a lost reply: %v, card %s", d, cardListBalance(t, h, acc, c))
		}
		checkBooks(t, h, acc, c)

		// The issuer fails and cannot be asked either: the swap stays
		// pending with the money held, then the recovery job completes it.
		h.App.IssuerSim.FailNext("recharge", 1)
		h.App.IssuerSim.FailNext("void", 1)
		key := apptest.Header{Name: "Idempotency-Key", Value: "pending-swap-01"}
		postSwap(h, acc, body, key).Expect(t, 503, "SWAP_PENDING")
		hist, _ := swapHistory(t, h, acc)
		pending := hist[0]
		if pending["status"] != "pending" || balanceOf(t, h, acc, "USDT-TRC20") != "100" {
			t.Fatalf("unresolved swap %v, wallet %s", pending, balanceOf(t, h, acc, "USDT-TRC20"))
		}
		id, _ := pending["id"].(json.Number).Int64()
		job := &river.Job[swap.ResolveArgs]{JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: 20}, Args: swap.ResolveArgs{SwapID: id}}
		if err := swap.NewResolveWorker(h.App.Swaps).Work(context.Background(), job); err != nil {
			t.Fatal(err)
		}
		if got := cardListBalance(t, h, acc, c); got != "762.84" {
			t.Fatalf("card after recovery %s, want 762.84", got)
		}
		// The interim answer was not bound to the key: a retry reads the
		// swap's outcome and swaps nothing more.
		d = cmData(t, postSwap(h, acc, body, key).Expect(t, 200, ""))
		if d["status"] != "completed" || cardListBalance(t, h, acc, c) != "762.84" {
			t.Fatalf("retry after recovery: %v, card %s", d, cardListBalance(t, h, acc, c))
		}
		checkBooks(t, h, acc, c)

		// A definite failure is voided and refunded at once; the voided
		// reference can never be applied later.
		h.App.IssuerSim.FailNext("recharge", 1)
		postSwap(h, acc, body).Expect(t, 503, "CARD_RECHARGE_FAILED")
		if balanceOf(t, h, acc, "USDT-TRC20") != "100" {
			t.Fatalf("wallet after a refused swap %s", balanceOf(t, h, acc, "USDT-TRC20"))
		}
		checkBooks(t, h, acc, c)
	})
}

// TestSwapKeyBoundToSwap: when a request's stored answer is lost (its key
// released after the swap committed), a retry with the same key answers
// from the swap it made instead of swapping again.
func TestSwapKeyBoundToSwap(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc, c := h.CardHolder(t, "swap-key@example.com")
		h.Deposit(t, acc, "USDT-TRC20", "200")
		key := apptest.Header{Name: "Idempotency-Key", Value: "swap-key-0001"}
		body := swapBody("USDT-TRC20", "HKD", 50, "card_id", c.ID)
		first := cmData(t, postSwap(h, acc, body, key).Expect(t, 200, ""))
		if _, err := h.App.DB.SQL.Exec(`DELETE FROM idempotency_keys WHERE user_id = $1`, acc.ID); err != nil {
			t.Fatal(err)
		}
		again := cmData(t, postSwap(h, acc, body, key).Expect(t, 200, ""))
		if again["transaction_id"] != first["transaction_id"] {
			t.Fatalf("retry made swap %v, first was %v", again["transaction_id"], first["transaction_id"])
		}
		if _, total := swapHistory(t, h, acc); total != "1" || balanceOf(t, h, acc, "USDT-TRC20") != "150" {
			t.Fatalf("%s swaps, wallet %s", total, balanceOf(t, h, acc, "USDT-TRC20"))
		}
		checkBooks(t, h, acc, c)
	})
}
