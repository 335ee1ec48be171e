package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/comecomepay/comecomepay/internal/apptest"
)

func TestSwapRaces(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc, card := h.CardHolder(t, "swap-race@example.com")
		h.Deposit(t, acc, "USDT-TRC20", "200")

		// One quote, twenty swaps: it is used exactly once.
		quote := quoteFor(t, h, acc, "USDT-TRC20", "HKD", 100)
		var (
			wg    sync.WaitGroup
			mu    sync.Mutex
			codes = map[string]int{}
		)
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res := postSwap(h, acc, swapBody("USDT-TRC20", "HKD", 100, "quote_id", quote, "card_id", card.ID))
				mu.Lock()
				defer mu.Unlock()
				codes[fmt.Sprintf("%d %s", res.Status, res.Code())]++
			}()
		}
		wg.Wait()
		if codes["200 "] != 1 || codes["400 QUOTE_ALREADY_USED"] != 19 {
			t.Errorf("same quote twenty times: %v, want one 200 and nineteen 400 QUOTE_ALREADY_USED", codes)
		}
		if w, c := balanceOf(t, h, acc, "USDT-TRC20"), cardListBalance(t, h, acc, card); w != "100" || c != "762.84" {
			t.Errorf("after the quote race wallet %s, card %s; want 100 and 762.84", w, c)
		}
		if _, total := swapHistory(t, h, acc); total != "1" {
			t.Errorf("%s swaps recorded, want 1", total)
		}
		checkBooks(t, h, acc, card)

		// Twenty swaps of 7 without a quote against 100 − 50 = 50 left: seven fit.
		postSwap(h, acc, swapBody("USDT-TRC20", "HKD", 50, "card_id", card.ID)).Expect(t, 200, "")
		var ok, nsf int
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res := postSwap(h, acc, swapBody("USDT-TRC20", "HKD", 7, "card_id", card.ID))
				mu.Lock()
				defer mu.Unlock()
				switch {
				case res.Status == 200:
					ok++
				case res.Code() == "INSUFFICIENT_BALANCE":
					nsf++
				default:
					t.Errorf("swap answered %d %s", res.Status, res.Body)
				}
			}()
		}
		wg.Wait()
		wallet, _ := strconv.ParseFloat(balanceOf(t, h, acc, "USDT-TRC20"), 64)
		if ok != 7 || nsf != 13 || wallet != 50-7*float64(ok) || wallet < 0 {
			t.Errorf("%d swaps done, %d refused, wallet %v; want 7, 13 and 1", ok, nsf, wallet)
		}
		// 762.84 + 381.42 (50 USDT) + ok × 53.39 (7 USDT each).
		if got, want := cardListBalance(t, h, acc, card), strconv.FormatFloat(float64(76284+38142+ok*5339)/100, 'f', -1, 64); got != want {
			t.Errorf("card balance %s, want %s", got, want)
		}
		if _, total := swapHistory(t, h, acc); total != strconv.Itoa(2+ok) {
			t.Errorf("%s swaps recorded, want %d", total, 2+ok)
		}
		checkBooks(t, h, acc, card)
	})
}

func TestSwapIssuerFailure(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc, card := h.CardHolder(t, "swap-issuer@example.com")
		h.Deposit(t, acc, "USDT-TRC20", "200")
		n := func(s string) json.Number { return json.Number(s) }

		for _, tc := range []struct {
			name        string
			fail        func()
			body        map[string]any
			code        string
			wallet      string
			card        string
			succeedThen bool
		}{
			{"recharge fails", func() { h.App.IssuerSim.FailNext("recharge", 1) },
				swapBody("USDT-TRC20", "HKD", 100, "card_id", card.ID), "CARD_RECHARGE_FAILED", "200", "0", true},
			{"withdraw fails (sandbox endpoint)", func() {
				h.Do(http.MethodPost, "/api/v1/sandbox/issuer/failures", map[string]any{"operation": "withdraw", "count": 1}).Expect(t, 200, "")
			}, swapBody("HKD", "USDT-TRC20", 100, "card_id", card.ID), "CARD_WITHDRAW_FAILED", "100", "762.84", true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				tc.fail()
				res := postSwap(h, acc, tc.body)
				if res.Status != 503 || res.Code() != tc.code {
					t.Fatalf("%d %s, want 503 %s: %s", res.Status, res.Code(), tc.code, res.Body)
				}
				if w, c := balanceOf(t, h, acc, "USDT-TRC20"), cardListBalance(t, h, acc, card); w != tc.wallet || c != tc.card {
					t.Errorf("after the failure wallet %s, card %s; want %s and %s", w, c, tc.wallet, tc.card)
				}
				rows, _ := swapHistory(t, h, acc)
				if len(rows) == 0 {
					t.Fatal("the failed swap is not in the history")
				}
				expectFields(t, "failed swap", rows[0], map[string]any{"status": "failed", "completed_at": nil})
				unified := swapRows(t, h, acc)
				if len(unified) == 0 || unified[0]["status"] != "failed" || unified[0]["source_id"] != rows[0]["id"] {
					t.Errorf("unified row of the failed swap %v", unified)
				}
				checkBooks(t, h, acc, card)
				// The next attempt goes through.
				if tc.succeedThen {
					postSwap(h, acc, tc.body).Expect(t, 200, "")
				}
			})
		}
		if w, c := balanceOf(t, h, acc, "USDT-TRC20"), cardListBalance(t, h, acc, card); w != "112.538461" || c != "662.84" {
			t.Errorf("end: wallet %s, card %s; want 112.538461 and 662.84", w, c)
		}
		if rows, total := swapHistory(t, h, acc); total != "4" {
			t.Errorf("history %v", rows)
		} else {
			expectFields(t, "last", rows[0], map[string]any{"status": "completed", "net_amount": n("12.538461")})
		}
		checkBooks(t, h, acc, card)
	})
}

func TestSwapIdempotency(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc, card := h.CardHolder(t, "swap-idem@example.com")
		h.Deposit(t, acc, "USDT-TRC20", "200")
		key := apptest.Header{Name: "Idempotency-Key", Value: "swap-key-0001"}
		body := swapBody("USDT-TRC20", "HKD", "50", "card_id", card.ID)

		first := postSwap(h, acc, body, key).Expect(t, 200, "")
		again := postSwap(h, acc, body, key).Expect(t, 200, "")
		if !bytes.Equal(first.Body, again.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay differs:\n%s\n%s", first.Body, again.Body)
		}
		if first.Header.Get("Idempotent-Replayed") != "" {
			t.Errorf("the first answer claims to be a replay")
		}
		if w, c := balanceOf(t, h, acc, "USDT-TRC20"), cardListBalance(t, h, acc, card); w != "150" || c != "381.42" {
			t.Errorf("after a replayed swap wallet %s, card %s; want 150 and 381.42", w, c)
		}
		for _, other := range []map[string]any{
			swapBody("USDT-TRC20", "HKD", "51", "card_id", card.ID),
			swapBody("HKD", "USDT-TRC20", "50", "card_id", card.ID),
		} {
			postSwap(h, acc, other, key).Expect(t, 409, "IDEMPOTENCY_CONFLICT")
		}
		postSwap(h, acc, body, apptest.Header{Name: "Idempotency-Key", Value: "bad key"}).Expect(t, 400, "VALIDATION_FAILED")

		// A refusal during execution is final for its key too.
		nsf := apptest.Header{Name: "Idempotency-Key", Value: "swap-key-0002"}
		big := swapBody("USDT-TRC20", "HKD", "1000", "card_id", card.ID)
		refused := postSwap(h, acc, big, nsf).Expect(t, 400, "INSUFFICIENT_BALANCE")
		h.Deposit(t, acc, "USDT-TRC20", "1000")
		replayed := postSwap(h, acc, big, nsf).Expect(t, 400, "INSUFFICIENT_BALANCE")
		if !bytes.Equal(refused.Body, replayed.Body) || replayed.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("refusal replay differs:\n%s\n%s", refused.Body, replayed.Body)
		}
		if w, c := balanceOf(t, h, acc, "USDT-TRC20"), cardListBalance(t, h, acc, card); w != "1150" || c != "381.42" {
			t.Errorf("wallet %s, card %s; want 1150 and 381.42", w, c)
		}
		if _, total := swapHistory(t, h, acc); total != "1" {
			t.Errorf("%s swaps recorded, want 1", total)
		}
		checkBooks(t, h, acc, card)
	})
}

func TestSwapFrozenAccount(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc, card := h.CardHolder(t, "swap-frozen@example.com")
		h.Deposit(t, acc, "USDT-TRC20", "200")
		postSwap(h, acc, swapBody("USDT-TRC20", "HKD", 100, "card_id", card.ID)).Expect(t, 200, "")
		quote := quoteFor(t, h, acc, "USDT-TRC20", "HKD", 50)
		if _, err := h.App.DB.SQL.Exec(`UPDATE users SET status = 'frozen' WHERE id = $1`, acc.ID); err != nil {
			t.Fatal(err)
		}
		acc = h.Login(t, acc.Email, apptest.Password)
		before := stateOf(t, h, acc, card, "USDT-TRC20")
		for _, body := range []map[string]any{
			swapBody("USDT-TRC20", "HKD", 50, "card_id", card.ID),
			swapBody("USDT-TRC20", "HKD", 50, "card_id", card.ID, "quote_id", quote),
			swapBody("HKD", "USDT-TRC20", 100, "card_id", card.ID),
		} {
			postSwap(h, acc, body).Expect(t, 403, "ACCOUNT_FROZEN")
		}
		if after := stateOf(t, h, acc, card, "USDT-TRC20"); after != before || before.wallet != "100" || before.card != "762.84" {
			t.Errorf("a frozen account's swap changed %+v into %+v", before, after)
		}
		// Reads still work.
		h.Do(http.MethodGet, swapHistoryPath, nil, apptest.Bearer(acc.Access)).Expect(t, 200, "")
		checkBooks(t, h, acc, card)
	})
}
