package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
)

func TestSwapPreview(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc, _ := h.CardHolder(t, "swap-preview@example.com")
		n := func(s string) json.Number { return json.Number(s) }
		for _, tc := range []struct {
			name string
			body map[string]any
			want map[string]any
		}{
			{"100 USDT to HKD at 7.80 less 2.2 %", swapBody("USDT-TRC20", "HKD", 100), map[string]any{
				"from_currency": "USDT-TRC20", "to_currency": "HKD", "from_amount": n("100"), "to_amount": n("780"),
				"exchange_rate": n("7.8"), "fee": n("0"), "fee_rate": n("0.022"), "fee_amount": n("17.16"), "net_amount": n("762.84")}},
			{"amount as a string, fee rounds up", swapBody("USDC-ERC20", "HKD", "1.33"), map[string]any{
				"from_amount": n("1.33"), "to_amount": n("10.37"), "fee_amount": n("0.23"), "net_amount": n("10.14")}},
			{"to_amount rounds down", swapBody("USDT-ERC20", "HKD", "1282.05"), map[string]any{
				"to_amount": n("9999.99"), "fee_amount": n("220"), "net_amount": n("9779.99")}},
			{"HKD to USDT", swapBody("HKD", "USDT-TRC20", 100), map[string]any{
				"from_currency": "HKD", "to_currency": "USDT-TRC20", "from_amount": n("100"), "exchange_rate": n("0.12820513"),
				"fee": n("0"), "fee_rate": n("0.022"), "fee_amount": n("2.2"), "to_amount": n("12.820512"), "net_amount": n("12.538461")}},
			{"HKD fee rounds up, credit rounds down", swapBody("HKD", "USDC-TRC20", "123.45"), map[string]any{
				"fee_amount": n("2.72"), "to_amount": n("15.826923"), "net_amount": n("15.478205")}},
			{"HKD withdrawal minimum", swapBody("HKD", "USDT-ERC20", "50"), map[string]any{
				"fee_amount": n("1.1"), "to_amount": n("6.410256"), "net_amount": n("6.26923")}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := previewSwap(h, acc, tc.body).Expect(t, 200, "")
				if e := apptest.Decode[apptest.EnvelopeA](t, res); e.Status != "success" || e.Message != "OK" {
					t.Errorf("envelope %s", res.Body)
				}
				d := cmData(t, res)
				expectFields(t, tc.name, d, tc.want)
				expectFields(t, tc.name, d, map[string]any{"expires_at": h.Clock.Now().Add(5 * time.Minute).UTC().Format(time.RFC3339)})
				if id, _ := d["quote_id"].(string); !quoteIDPattern.MatchString(id) {
					t.Errorf("quote_id %q is not quote_<uuid v4>", id)
				}
			})
		}
		// Each preview is a new quote.
		if a, b := quoteFor(t, h, acc, "USDT-TRC20", "HKD", 100), quoteFor(t, h, acc, "USDT-TRC20", "HKD", 100); a == b {
			t.Errorf("two previews share quote %s", a)
		}

		for _, tc := range []struct {
			name   string
			body   any
			code   string
			fields []string
		}{
			{"same currency", swapBody("USDT-TRC20", "USDT-TRC20", 100), "SAME_CURRENCY", nil},
			{"HKD to HKD", swapBody("HKD", "HKD", 100), "SAME_CURRENCY", nil},
			{"crypto to crypto", swapBody("USDT-TRC20", "USDC-ERC20", 100), "UNSUPPORTED_PAIR", nil},
			{"bogus from", swapBody("BOGUS", "HKD", 100), "UNSUPPORTED_CURRENCY", nil},
			{"bogus to", swapBody("HKD", "BTC", 100), "UNSUPPORTED_CURRENCY", nil},
			{"missing amount", map[string]any{"from_currency": "USDT-TRC20", "to_currency": "HKD"}, "VALIDATION_FAILED", []string{"amount"}},
			{"missing currencies", map[string]any{"amount": 100}, "VALIDATION_FAILED", []string{"from_currency", "to_currency"}},
			{"negative", swapBody("USDT-TRC20", "HKD", -5), "VALIDATION_FAILED", []string{"amount"}},
			{"zero", swapBody("USDT-TRC20", "HKD", "0"), "VALIDATION_FAILED", []string{"amount"}},
			{"exponent", swapBody("USDT-TRC20", "HKD", "1e2"), "VALIDATION_FAILED", []string{"amount"}},
			{"not a number", swapBody("USDT-TRC20", "HKD", "ten"), "VALIDATION_FAILED", []string{"amount"}},
			{"a bool", swapBody("USDT-TRC20", "HKD", true), "VALIDATION_FAILED", []string{"amount"}},
			{"7 decimals of USDT", swapBody("USDT-TRC20", "HKD", "1.0000001"), "VALIDATION_FAILED", []string{"amount"}},
			{"3 decimals of HKD", swapBody("HKD", "USDT-TRC20", "100.001"), "VALIDATION_FAILED", []string{"amount"}},
			{"net below 10 HKD", swapBody("USDT-TRC20", "HKD", "1.3"), "VALIDATION_FAILED", []string{"amount"}},
			{"net above 10 000 HKD", swapBody("USDT-TRC20", "HKD", "1320"), "VALIDATION_FAILED", []string{"amount"}},
			{"HKD below 50", swapBody("HKD", "USDT-TRC20", "49.99"), "VALIDATION_FAILED", []string{"amount"}},
			{"malformed JSON", `{"from_currency":`, "VALIDATION_FAILED", nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := previewSwap(h, acc, tc.body)
				if res.Status != 400 || res.Code() != tc.code {
					t.Fatalf("%d %s, want 400 %s: %s", res.Status, res.Code(), tc.code, res.Body)
				}
				fields := apptest.Decode[apptest.ErrorBody](t, res).Fields
				for _, f := range tc.fields {
					if _, ok := fields[f]; !ok {
						t.Errorf("fields lacks %s: %s", f, res.Body)
					}
				}
			})
		}
		// Just inside the recharge range on both ends.
		previewSwap(h, acc, swapBody("USDT-TRC20", "HKD", "1.33")).Expect(t, 200, "")
		previewSwap(h, acc, swapBody("USDT-TRC20", "HKD", "1310")).Expect(t, 200, "")
		h.Do(http.MethodPost, swapPreviewPath, swapBody("USDT-TRC20", "HKD", 100)).Expect(t, 401, "UNAUTHORIZED")
		h.Do(http.MethodGet, swapPreviewPath, nil, apptest.Bearer(acc.Access)).Expect(t, 405, "METHOD_NOT_ALLOWED")
	})
}

func TestSwapRefusalsChangeNothing(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc, card := h.CardHolder(t, "swap-refusals@example.com")
		other, otherCard := h.CardHolder(t, "swap-refusals-other@example.com")
		h.Deposit(t, acc, "USDT-TRC20", "200")
		cardID := card.ID

		// A completed swap gives a used quote and a card balance to withdraw from.
		used := quoteFor(t, h, acc, "USDT-TRC20", "HKD", 100)
		postSwap(h, acc, swapBody("USDT-TRC20", "HKD", 100, "quote_id", used, "card_id", cardID)).Expect(t, 200, "")
		fifty := quoteFor(t, h, acc, "USDT-TRC20", "HKD", 50)
		othersQuote := quoteFor(t, h, other, "USDT-TRC20", "HKD", 50)
		before := stateOf(t, h, acc, card, "USDT-TRC20")
		if before != (swapState{"100", "762.84", "762.84", "1"}) {
			t.Fatalf("after the first swap: %+v", before)
		}

		for _, tc := range []struct {
			name   string
			body   any
			status int
			code   string
		}{
			{"no card_id", swapBody("USDT-TRC20", "HKD", 50), 400, "CARD_REQUIRED"},
			{"no card_id, HKD side first", swapBody("HKD", "USDT-TRC20", 100), 400, "CARD_REQUIRED"},
			{"another user's card", swapBody("USDT-TRC20", "HKD", 50, "card_id", otherCard.ID), 404, "CARD_NOT_FOUND"},
			{"unknown card", swapBody("USDT-TRC20", "HKD", 50, "card_id", 987654321), 404, "CARD_NOT_FOUND"},
			{"card_id garbage", swapBody("USDT-TRC20", "HKD", 50, "card_id", "abc"), 400, "VALIDATION_FAILED"},
			{"card_id negative", swapBody("USDT-TRC20", "HKD", 50, "card_id", -1), 400, "VALIDATION_FAILED"},
			{"unknown quote", swapBody("USDT-TRC20", "HKD", 50, "card_id", cardID, "quote_id",
				"quote_00000000-0000-4000-8000-000000000000"), 404, "QUOTE_NOT_FOUND"},
			{"another user's quote", swapBody("USDT-TRC20", "HKD", 50, "card_id", cardID, "quote_id", othersQuote), 404, "QUOTE_NOT_FOUND"},
			{"used quote", swapBody("USDT-TRC20", "HKD", 100, "card_id", cardID, "quote_id", used), 400, "QUOTE_ALREADY_USED"},
			{"quote for another amount", swapBody("USDT-TRC20", "HKD", 60, "card_id", cardID, "quote_id", fifty), 400, "QUOTE_MISMATCH"},
			{"quote for another coin", swapBody("USDT-ERC20", "HKD", 50, "card_id", cardID, "quote_id", fifty), 400, "QUOTE_MISMATCH"},
			{"quote for the other direction", swapBody("HKD", "USDT-TRC20", 50, "card_id", cardID, "quote_id", fifty), 400, "QUOTE_MISMATCH"},
			{"more USDT than held", swapBody("USDT-TRC20", "HKD", "100.000001", "card_id", cardID), 400, "INSUFFICIENT_BALANCE"},
			{"a coin never deposited", swapBody("USDC-TRC20", "HKD", 10, "card_id", cardID), 400, "INSUFFICIENT_BALANCE"},
			{"more HKD than on the card", swapBody("HKD", "USDT-TRC20", "762.85", "card_id", cardID), 400, "INSUFFICIENT_BALANCE"},
			{"same currency", swapBody("USDT-TRC20", "USDT-TRC20", 10, "card_id", cardID), 400, "SAME_CURRENCY"},
			{"crypto to crypto", swapBody("USDT-TRC20", "USDC-ERC20", 10, "card_id", cardID), 400, "UNSUPPORTED_PAIR"},
			{"bogus currency", swapBody("BOGUS", "HKD", 10, "card_id", cardID), 400, "UNSUPPORTED_CURRENCY"},
			{"missing amount", map[string]any{"from_currency": "USDT-TRC20", "to_currency": "HKD", "card_id": cardID}, 400, "VALIDATION_FAILED"},
			{"negative amount", swapBody("USDT-TRC20", "HKD", -1, "card_id", cardID), 400, "VALIDATION_FAILED"},
			{"too many decimals", swapBody("USDT-TRC20", "HKD", "1.0000001", "card_id", cardID), 400, "VALIDATION_FAILED"},
			{"net below 10 HKD", swapBody("USDT-TRC20", "HKD", "1.3", "card_id", cardID), 400, "VALIDATION_FAILED"},
			{"net above 10 000 HKD", swapBody("USDT-TRC20", "HKD", "1320", "card_id", cardID), 400, "VALIDATION_FAILED"},
			{"HKD below 50", swapBody("HKD", "USDT-TRC20", "49.99", "card_id", cardID), 400, "VALIDATION_FAILED"},
			{"no token", nil, 401, "UNAUTHORIZED"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var res *apptest.Response
				if tc.body == nil {
					res = h.Do(http.MethodPost, swapPath, swapBody("USDT-TRC20", "HKD", 50, "card_id", cardID))
				} else {
					res = postSwap(h, acc, tc.body)
				}
				if res.Status != tc.status || res.Code() != tc.code {
					t.Errorf("%d %s, want %d %s: %s", res.Status, res.Code(), tc.status, tc.code, res.Body)
				}
				if after := stateOf(t, h, acc, card, "USDT-TRC20"); after != before {
					t.Errorf("a refused swap changed %+v into %+v", before, after)
				}
			})
		}

		// The mismatches did not use the quote up; it expires after 300 s.
		expiring := quoteFor(t, h, acc, "USDT-TRC20", "HKD", 10)
		h.Clock.Advance(301 * time.Second)
		postSwap(h, acc, swapBody("USDT-TRC20", "HKD", 10, "card_id", cardID, "quote_id", expiring)).Expect(t, 400, "QUOTE_EXPIRED")
		postSwap(h, acc, swapBody("USDT-TRC20", "HKD", 50, "card_id", cardID, "quote_id", fifty)).Expect(t, 400, "QUOTE_EXPIRED")
		if after := stateOf(t, h, acc, card, "USDT-TRC20"); after != before {
			t.Errorf("an expired quote changed %+v into %+v", before, after)
		}
		// A fresh quote of the same figures still works.
		fresh := quoteFor(t, h, acc, "USDT-TRC20", "HKD", 50)
		postSwap(h, acc, swapBody("USDT-TRC20", "HKD", 50, "card_id", cardID, "quote_id", fresh)).Expect(t, 200, "")
		if got := balanceOf(t, h, acc, "USDT-TRC20"); got != "50" {
			t.Errorf("USDT after the fresh quote: %s, want 50", got)
		}
		if rows, total := swapHistory(t, h, other); total != "0" || len(rows) != 0 {
			t.Errorf("the other user sees swaps: %v", rows)
		}
		checkBooks(t, h, acc, card)
	})
}

func TestSwapRoundTrip(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc, card := h.CardHolder(t, "swap-roundtrip@example.com")
		h.Deposit(t, acc, "USDT-TRC20", "200")
		n := func(s string) json.Number { return json.Number(s) }

		// crypto → HKD with a quote.
		quote := quoteFor(t, h, acc, "USDT-TRC20", "HKD", 100)
		res := postSwap(h, acc, swapBody("USDT-TRC20", "HKD", 100, "quote_id", quote, "card_id", card.ID)).Expect(t, 200, "")
		if e := apptest.Decode[apptest.EnvelopeA](t, res); e.Status != "success" || e.Message != "Swap completed successfully" {
			t.Errorf("envelope %s", res.Body)
		}
		d := cmData(t, res)
		expectFields(t, "recharge", d, map[string]any{"status": "completed", "from_currency": "USDT-TRC20", "to_currency": "HKD",
			"from_amount": n("100"), "to_amount": n("780"), "exchange_rate": n("7.8"), "fee": n("0"), "fee_rate": n("0.022"),
			"fee_amount": n("17.16"), "net_amount": n("762.84"), "pokepay_reference": "recharge_" + card.PublicToken,
			"card_id": n(strconv.FormatInt(card.ID, 10)), "card_balance": n("762.84"),
			"created_at": h.Clock.Now().UTC().Format(time.RFC3339)})
		if d["completed_at"] == nil {
			t.Errorf("completed_at is null on a completed swap: %s", res.Body)
		}
		nb, _ := d["new_balances"].(map[string]any)
		if len(nb) != 2 || nb["USDT-TRC20"] != n("100") || nb["HKD"] != n("762.84") {
			t.Errorf("new_balances %v, want {USDT-TRC20:100, HKD:762.84}", nb)
		}
		swapID, _ := d["transaction_id"].(json.Number)
		if id, err := swapID.Int64(); err != nil || id <= 0 {
			t.Fatalf("transaction_id %v", d["transaction_id"])
		}

		if got := balanceOf(t, h, acc, "USDT-TRC20"); got != "100" {
			t.Errorf("wallet USDT-TRC20 %s, want 100", got)
		}
		if got := balanceOf(t, h, acc, "HKD"); got != "762.84" {
			t.Errorf("wallet HKD entry %s, want 762.84", got)
		}
		if got := cardListBalance(t, h, acc, card); got != "762.84" {
			t.Errorf("card list balance %s, want 762.84", got)
		}
		if got := cardDetailsBalance(t, h, acc, card); got != "762.84" {
			t.Errorf("account-details balance %s, want 762.84", got)
		}
		rows, total := swapHistory(t, h, acc)
		if total != "1" || len(rows) != 1 {
			t.Fatalf("history %v (total %s)", rows, total)
		}
		expectFields(t, "history recharge", rows[0], map[string]any{"id": swapID, "user_id": n(strconv.FormatInt(acc.ID, 10)),
			"from_currency": "USDT-TRC20", "to_currency": "HKD", "from_amount": n("100"), "to_amount": n("780"),
			"exchange_rate": n("7.8"), "fee": n("17.16"), "fee_rate": n("0.022"), "fee_amount": n("17.16"), "net_amount": n("762.84"),
			"status": "completed", "quote_id": quote, "poke_pay_ref": "recharge_" + card.PublicToken, "poke_pay_type": "recharge",
			"card_id": n(strconv.FormatInt(card.ID, 10))})
		if rows[0]["completed_at"] == nil {
			t.Errorf("history completed_at null: %v", rows[0])
		}
		unified := swapRows(t, h, acc)
		if len(unified) != 1 {
			t.Fatalf("unified swap rows %v", unified)
		}
		expectFields(t, "unified recharge", unified[0], map[string]any{"type": "swap", "type_label": "Swap", "status": "completed",
			"status_label": "Completed", "amount": n("-100"), "currency": "USDT-TRC20", "source_table": "swaps", "source_id": swapID})
		if unified[0]["completed_at"] == nil {
			t.Errorf("unified completed_at null: %v", unified[0])
		}
		// API.md §2.3: from_amount, to_amount, exchange_rate (and the currencies) are filled for swaps; to_amount
		// is what arrived (the net).
		expectFields(t, "unified recharge swap figures", unified[0], map[string]any{"from_amount": n("100"), "from_currency": "USDT-TRC20",
			"to_amount": n("762.84"), "to_currency": "HKD", "exchange_rate": n("7.8")})

		// HKD → crypto without a quote, card_id as a numeric string: back to the wallet.
		res = postSwap(h, acc, swapBody("HKD", "USDT-TRC20", "500", "card_id", strconv.FormatInt(card.ID, 10))).Expect(t, 200, "")
		d = cmData(t, res)
		expectFields(t, "withdraw", d, map[string]any{"status": "completed", "from_currency": "HKD", "to_currency": "USDT-TRC20",
			"from_amount": n("500"), "to_amount": n("64.102564"), "exchange_rate": n("0.12820513"), "fee": n("0"),
			"fee_amount": n("11"), "net_amount": n("62.692307"), "pokepay_reference": "withdraw_" + card.PublicToken,
			"card_balance": n("262.84")})
		nb, _ = d["new_balances"].(map[string]any)
		if len(nb) != 2 || nb["USDT-TRC20"] != n("162.692307") || nb["HKD"] != n("262.84") {
			t.Errorf("new_balances %v, want {USDT-TRC20:162.692307, HKD:262.84}", nb)
		}
		backID := d["transaction_id"].(json.Number)
		if got := balanceOf(t, h, acc, "USDT-TRC20"); got != "162.692307" {
			t.Errorf("wallet after the withdrawal %s, want 162.692307", got)
		}
		if a, b, c := cardListBalance(t, h, acc, card), cardDetailsBalance(t, h, acc, card), balanceOf(t, h, acc, "HKD"); a != "262.84" || b != "262.84" || c != "262.84" {
			t.Errorf("card balance list %s, details %s, wallet HKD %s; want 262.84", a, b, c)
		}
		rows, total = swapHistory(t, h, acc)
		if total != "2" || len(rows) != 2 {
			t.Fatalf("history %v (total %s)", rows, total)
		}
		expectFields(t, "history withdraw", rows[0], map[string]any{"id": backID, "poke_pay_type": "withdraw",
			"poke_pay_ref": "withdraw_" + card.PublicToken, "fee": n("11"), "net_amount": n("62.692307"), "quote_id": "", "status": "completed"})
		unified = swapRows(t, h, acc)
		if len(unified) != 2 {
			t.Fatalf("unified swap rows %v", unified)
		}
		expectFields(t, "unified withdraw", unified[0], map[string]any{"type": "swap", "status": "completed", "amount": n("62.692307"),
			"currency": "USDT-TRC20", "source_table": "swaps", "source_id": backID, "from_amount": n("500"), "from_currency": "HKD",
			"to_amount": n("62.692307"), "to_currency": "USDT-TRC20", "exchange_rate": n("0.12820513")})

		// Paging of the history.
		page := cmData(t, h.Do(http.MethodGet, swapHistoryPath+"?page=2&limit=1", nil, apptest.Bearer(acc.Access)).Expect(t, 200, ""))
		expectFields(t, "page 2", page["pagination"].(map[string]any), map[string]any{"page": n("2"), "limit": n("1"), "total": n("2"), "total_pages": n("2")})
		h.Do(http.MethodGet, swapHistoryPath+"?page=0", nil, apptest.Bearer(acc.Access)).Expect(t, 400, "VALIDATION_FAILED")
		h.Do(http.MethodGet, swapHistoryPath, nil).Expect(t, 401, "UNAUTHORIZED")
		checkBooks(t, h, acc, card)
	})
}
