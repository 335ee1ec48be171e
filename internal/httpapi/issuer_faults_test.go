package httpapi_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/config"
	"github.com/comecomepay/comecomepay/internal/providers/issuer/faults"
	"github.com/comecomepay/comecomepay/internal/swap"
)

// issuerTimings shortens the issuer guard's per-call timeout and breaker
// cool-down so injected time-outs cost little (the timeout stays long
// enough for a simulator call queued behind a busy SQLite connection
// under the race detector on two loaded cores);
// failures is the breaker's threshold.
func issuerTimings(failures int) apptest.Option {
	return func(c *config.Config) {
		c.IssuerTimeout = 3 * time.Second
		c.IssuerBreakerFailures = failures
		c.IssuerBreakerCooldown = 600 * time.Millisecond
	}
}

// transportFaults are the faults of an issuer's network, each before the
// issuer applied the call and after (only the answer lost).
var transportFaults = []struct {
	name  string
	fault faults.Fault
}{
	{"timeout", faults.Fault{Kind: faults.Hang}},
	{"timeout after applying", faults.Fault{Kind: faults.Hang, Applied: true}},
	{"reset", faults.Fault{Kind: faults.Reset}},
	{"reset after applying", faults.Fault{Kind: faults.Reset, Applied: true}},
	{"5xx", faults.Fault{Kind: faults.ServerError, Status: 502}},
	{"5xx after applying", faults.Fault{Kind: faults.ServerError, Status: 504, Applied: true}},
}

// sameKey checks that every call of operation about key used that key and
// that there were want of them.
func sameKey(t *testing.T, h *apptest.Harness, operation, key string, want int) {
	t.Helper()
	n := 0
	for _, k := range h.App.IssuerFaults.Keys(operation) {
		if k == key {
			n++
		}
	}
	if n != want {
		t.Errorf("%s was called %d times with %q, want %d (calls %v)", operation, n, key, want, h.App.IssuerFaults.Keys(operation))
	}
}

func lastKey(t *testing.T, h *apptest.Harness, operation string) string {
	t.Helper()
	keys := h.App.IssuerFaults.Keys(operation)
	if len(keys) == 0 {
		t.Fatalf("no %s call reached the issuer", operation)
	}
	return keys[len(keys)-1]
}

// simOperations counts the simulator's applied operations of a reference.
func simOperations(t *testing.T, h *apptest.Harness, reference string) int {
	t.Helper()
	var n int
	if err := h.App.DB.SQL.QueryRow(`SELECT COUNT(*) FROM sim_issuer_operations WHERE reference = $1 AND operation <> 'void'`, reference).
		Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func resolveSwap(t *testing.T, h *apptest.Harness, reference string) {
	t.Helper()
	id, err := strconv.ParseInt(strings.TrimPrefix(reference, "swap-"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	job := &river.Job[swap.ResolveArgs]{JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: 20}, Args: swap.ResolveArgs{SwapID: id}}
	if err := swap.NewResolveWorker(h.App.Swaps).Work(context.Background(), job); err != nil {
		t.Fatal(err)
	}
}

// TestIssuerFaultsSwaps: a time-out, a broken connection or a 5xx on a
// swap's card leg, whether or not the issuer applied it, ends the swap in a
// definite state: at once when the issuer can be asked (void by reference),
// else through the recovery job, which repeats the call under the same
// reference; the issuer applies it once and its balance equals ours.
func TestIssuerFaultsSwaps(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc, c := h.CardHolder(t, "issuer-faults-swap@example.com")
		h.Deposit(t, acc, "USDT-TRC20", "1000")
		recharge := swapBody("USDT-TRC20", "HKD", 50, "card_id", c.ID)
		for _, tc := range transportFaults {
			t.Run(tc.name, func(t *testing.T) {
				// The void answers: applied → completed, else refunded.
				h.App.IssuerFaults.Inject(faults.OpRecharge, tc.fault, 1)
				start := time.Now()
				res := postSwap(h, acc, recharge)
				if elapsed := time.Since(start); elapsed > 5*time.Second {
					t.Errorf("the swap took %s against a faulty issuer", elapsed)
				}
				ref := lastKey(t, h, faults.OpRecharge)
				if tc.fault.Applied {
					res.Expect(t, 200, "")
				} else {
					res.Expect(t, 503, "CARD_RECHARGE_FAILED")
				}
				sameKey(t, h, faults.OpVoid, ref, 1)
				if want := map[bool]int{true: 1, false: 0}[tc.fault.Applied]; simOperations(t, h, ref) != want {
					t.Errorf("the issuer applied %s %d times, want %d", ref, simOperations(t, h, ref), want)
				}
				checkBooks(t, h, acc, c)

				// The void fails too: the swap waits, and the recovery job
				// finishes it under the same reference.
				h.App.IssuerFaults.Inject(faults.OpRecharge, tc.fault, 1)
				h.App.IssuerFaults.Inject(faults.OpVoid, faults.Fault{Kind: faults.Reset}, 1)
				postSwap(h, acc, recharge).Expect(t, 503, "SWAP_PENDING")
				ref = lastKey(t, h, faults.OpRecharge)
				resolveSwap(t, h, ref)
				sameKey(t, h, faults.OpRecharge, ref, 2)
				if rows := swapRows(t, h, acc); rows[0]["status"] != "completed" {
					t.Fatalf("after recovery the swap is %v", rows[0]["status"])
				}
				if simOperations(t, h, ref) != 1 {
					t.Errorf("the issuer applied %s %d times", ref, simOperations(t, h, ref))
				}
				checkBooks(t, h, acc, c)
			})
		}
		t.Run("latency", func(t *testing.T) {
			h.App.IssuerFaults.Inject(faults.OpRecharge, faults.Fault{Kind: faults.Latency, Delay: 100 * time.Millisecond}, 1)
			postSwap(h, acc, recharge).Expect(t, 200, "")
			// Slower than the per-call timeout: a time-out before sending.
			h.App.IssuerFaults.Inject(faults.OpRecharge, faults.Fault{Kind: faults.Latency, Delay: 5 * time.Second}, 1)
			postSwap(h, acc, recharge).Expect(t, 503, "CARD_RECHARGE_FAILED")
			checkBooks(t, h, acc, c)
		})
		t.Run("withdraw", func(t *testing.T) {
			withdraw := swapBody("HKD", "USDT-TRC20", 100, "card_id", c.ID)
			h.App.IssuerFaults.Inject(faults.OpWithdraw, faults.Fault{Kind: faults.Reset, Applied: true}, 1)
			h.App.IssuerFaults.Inject(faults.OpVoid, faults.Fault{Kind: faults.ServerError}, 1)
			postSwap(h, acc, withdraw).Expect(t, 503, "SWAP_PENDING")
			ref := lastKey(t, h, faults.OpWithdraw)
			resolveSwap(t, h, ref)
			sameKey(t, h, faults.OpWithdraw, ref, 2)
			if simOperations(t, h, ref) != 1 {
				t.Errorf("the issuer applied %s %d times", ref, simOperations(t, h, ref))
			}
			h.App.IssuerFaults.Inject(faults.OpWithdraw, faults.Fault{Kind: faults.Hang}, 1)
			postSwap(h, acc, withdraw).Expect(t, 503, "CARD_WITHDRAW_FAILED")
			checkBooks(t, h, acc, c)
		})
	}, issuerTimings(100))
}

func simCardStatus(t *testing.T, h *apptest.Harness, token string) string {
	t.Helper()
	var st string
	if err := h.App.DB.SQL.QueryRow(`SELECT status FROM sim_issuer_cards WHERE public_token = $1`, token).Scan(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

func recoverStatus(t *testing.T, h *apptest.Harness, cardID int64) {
	t.Helper()
	h.Clock.Advance(3 * time.Minute)
	job := &river.Job[card.StatusRecoverArgs]{JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: 20}, Args: card.StatusRecoverArgs{CardID: cardID}}
	if err := card.NewStatusRecoverWorker(h.App.Cards).Work(context.Background(), job); err != nil {
		t.Fatal(err)
	}
}

// TestIssuerFaultsCardStatus: a status change the issuer may have made
// (no answer) keeps its claim, so the recovery job makes it again and
// records it: the issuer and we never disagree. A cancellation whose
// balance withdrawal went unanswered is finished under the same reference.
func TestIssuerFaultsCardStatus(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		r := &cmRec{h: h}
		acc, c := cmToppedCard(t, r, "issuer-faults-status@example.com")
		for i, tc := range transportFaults {
			code, want := "G1", "frozen"
			if i%2 == 1 {
				code, want = "00", "active"
			}
			h.App.IssuerFaults.Inject(faults.OpSetStatus, tc.fault, 1)
			usrExpectErr(t, cmPutStatus(r, acc, c.PublicToken, code), 502, "ISSUER_UNAVAILABLE")
			recoverStatus(t, h, c.ID)
			acc = h.Login(t, acc.Email, apptest.Password)
			if g := cmGetStatus(t, r, acc, c.PublicToken); g["card_status_code"] != code || simCardStatus(t, h, c.PublicToken) != want {
				t.Fatalf("%s: ours %v, the issuer's %s, want %s", tc.name, g["card_status_code"], simCardStatus(t, h, c.PublicToken), want)
			}
		}

		// Cancel: the balance withdrawal is applied, its answer lost, and
		// the issuer cannot be asked; the recovery job withdraws again under
		// the same reference (applied once) and closes the card.
		h.App.IssuerFaults.Inject(faults.OpWithdraw, faults.Fault{Kind: faults.Reset, Applied: true}, 1)
		h.App.IssuerFaults.Inject(faults.OpVoid, faults.Fault{Kind: faults.Hang}, 1)
		usrExpectErr(t, cmPutStatus(r, acc, c.PublicToken, "99"), 502, "ISSUER_UNAVAILABLE")
		ref := lastKey(t, h, faults.OpWithdraw)
		recoverStatus(t, h, c.ID)
		sameKey(t, h, faults.OpWithdraw, ref, 2)
		acc = h.Login(t, acc.Email, apptest.Password)
		if g := cmGetStatus(t, r, acc, c.PublicToken); g["card_status_code"] != "99" || simCardStatus(t, h, c.PublicToken) != "closed" ||
			cmIssuerBalance(t, h, c.PublicToken) != 0 || simOperations(t, h, ref) != 1 {
			t.Fatalf("after recovery: ours %v, issuer %s holding %d", g, simCardStatus(t, h, c.PublicToken), cmIssuerBalance(t, h, c.PublicToken))
		}
		if b := balanceOf(t, h, acc, "USDT-TRC20"); b != "98.9" {
			t.Errorf("wallet after the cancellation %s, want 98.9 (50 left + 48.9 refunded)", b)
		}
		verifyLedger(t, h)
	}, issuerTimings(100))
}

// TestIssuerFaultsPhysical: an order submission that went unanswered is
// voided by its order number, or, when even that fails, re-sent by the
// recovery job under the same number: the issuer takes the order once.
func TestIssuerFaultsPhysical(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc, c := h.CardHolder(t, "issuer-faults-physical@example.com")
		h.Deposit(t, acc, "USDT-TRC20", "40")
		body := func() map[string]any {
			return convertBody(c.PublicToken, verifiedToken(t, h, acc, c.PublicToken), "USDT-TRC20")
		}

		// Not applied, and the void says so: failed and refunded at once.
		h.App.IssuerFaults.Inject(faults.OpConvert, faults.Fault{Kind: faults.Hang}, 1)
		expectC(t, convert(h, acc, body(), newKey()), 502, "ISSUER_UNAVAILABLE")
		first := lastKey(t, h, faults.OpConvert)
		sameKey(t, h, faults.OpVoidConversion, first, 1)
		if balanceOf(t, h, acc, "USDT-TRC20") != "40" {
			t.Fatalf("refused order: balance %s", balanceOf(t, h, acc, "USDT-TRC20"))
		}

		// Applied, the answer lost, the void failing: the order waits paid;
		// the recovery job re-sends it under the same order number.
		h.App.IssuerFaults.Inject(faults.OpConvert, faults.Fault{Kind: faults.Reset, Applied: true}, 1)
		h.App.IssuerFaults.Inject(faults.OpVoidConversion, faults.Fault{Kind: faults.ServerError}, 1)
		expectC(t, convert(h, acc, body(), newKey()), 502, "ISSUER_UNAVAILABLE")
		orderNo := lastKey(t, h, faults.OpConvert)
		var orderID int64
		if err := h.App.DB.SQL.QueryRow(`SELECT id FROM physical_orders WHERE order_no = $1 AND status = 'FEE_PAID'`, orderNo).Scan(&orderID); err != nil {
			t.Fatal(err)
		}
		if err := h.App.Physical.Recover(context.Background(), orderID, false); err != nil {
			t.Fatal(err)
		}
		sameKey(t, h, faults.OpConvert, orderNo, 2)
		var taken int
		if err := h.App.DB.SQL.QueryRow(`SELECT COUNT(*) FROM sim_issuer_physical WHERE reference = $1`, orderNo).Scan(&taken); err != nil || taken != 1 {
			t.Fatalf("the issuer holds %d orders %s (%v)", taken, orderNo, err)
		}
		if p := upgradeProgressOf(t, upgradeProgress(h, acc, c.PublicToken)); p.Status != "SUBMITTED" || balanceOf(t, h, acc, "USDT-TRC20") != "0" {
			t.Fatalf("after recovery %v, balance %s", p, balanceOf(t, h, acc, "USDT-TRC20"))
		}
		verifyLedger(t, h)
	}, issuerTimings(100))
}

// TestIssuerFaultsIssuance: an issuance that timed out (after the issuer
// made the card) or met a 5xx is retried by the job under the task's
// reference; the issuer makes one card, and it is the one we record.
func TestIssuerFaultsIssuance(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		for i, f := range []faults.Fault{{Kind: faults.Hang, Applied: true}, {Kind: faults.ServerError}} {
			h.App.IssuerFaults.Inject(faults.OpIssueCard, f, 1)
			_, c := h.CardHolder(t, "issuer-faults-issue-"+strconv.Itoa(i)+"@example.com")
			ref := lastKey(t, h, faults.OpIssueCard)
			sameKey(t, h, faults.OpIssueCard, ref, 2)
			var tokens []string
			rows, err := h.App.DB.SQL.Query(`SELECT public_token FROM sim_issuer_cards WHERE reference = $1`, ref)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var tok string
				if err := rows.Scan(&tok); err != nil {
					t.Fatal(err)
				}
				tokens = append(tokens, tok)
			}
			rows.Close()
			if !slices.Equal(tokens, []string{c.PublicToken}) {
				t.Fatalf("the issuer made %v for %s, we recorded %s", tokens, ref, c.PublicToken)
			}
		}
	}, issuerTimings(100))
}
