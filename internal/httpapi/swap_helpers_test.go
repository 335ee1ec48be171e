package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"testing"

	"github.com/comecomepay/comecomepay/internal/apptest"
)

const (
	swapPath        = "/api/v1/wallet/swap"
	swapPreviewPath = "/api/v1/wallet/swap/preview"
	swapHistoryPath = "/api/v1/wallet/swap/history"
)

var quoteIDPattern = regexp.MustCompile(`^quote_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// expectFields compares fields of m with want, numbers by their JSON literal.
func expectFields(t *testing.T, what string, m map[string]any, want map[string]any) {
	t.Helper()
	for k, w := range want {
		got, ok := m[k]
		if !ok {
			t.Errorf("%s: field %q missing in %v", what, k, m)
			continue
		}
		switch w := w.(type) {
		case nil:
			if got != nil {
				t.Errorf("%s: %s = %v, want null", what, k, got)
			}
		case string:
			if s, isStr := got.(string); !isStr || s != w {
				t.Errorf("%s: %s = %#v, want string %q", what, k, got, w)
			}
		case json.Number:
			if n, isNum := got.(json.Number); !isNum || n != w {
				t.Errorf("%s: %s = %#v, want number %s", what, k, got, w)
			}
		case bool:
			if b, isBool := got.(bool); !isBool || b != w {
				t.Errorf("%s: %s = %#v, want %v", what, k, got, w)
			}
		default:
			t.Fatalf("expectFields: unsupported want type %T", w)
		}
	}
}

func swapBody(from, to string, amount any, extra ...any) map[string]any {
	b := map[string]any{"from_currency": from, "to_currency": to, "amount": amount}
	for i := 0; i+1 < len(extra); i += 2 {
		b[extra[i].(string)] = extra[i+1]
	}
	return b
}

func previewSwap(h *apptest.Harness, acc apptest.Account, body any) *apptest.Response {
	return h.Do(http.MethodPost, swapPreviewPath, body, apptest.Bearer(acc.Access))
}

func postSwap(h *apptest.Harness, acc apptest.Account, body any, headers ...apptest.Header) *apptest.Response {
	return h.Do(http.MethodPost, swapPath, body, append(headers, apptest.Bearer(acc.Access))...)
}

// quoteFor previews a swap and returns the quote id.
func quoteFor(t *testing.T, h *apptest.Harness, acc apptest.Account, from, to string, amount any) string {
	t.Helper()
	id, _ := cmData(t, previewSwap(h, acc, swapBody(from, to, amount)).Expect(t, 200, ""))["quote_id"].(string)
	if !quoteIDPattern.MatchString(id) {
		t.Fatalf("quote_id %q is not quote_<uuid v4>", id)
	}
	return id
}

// cardListBalance is the `balance` of the card in GET /card/list.
func cardListBalance(t *testing.T, h *apptest.Harness, acc apptest.Account, c apptest.Card) string {
	t.Helper()
	d := cmData(t, h.Do(http.MethodGet, "/api/v1/card/list", nil, apptest.Bearer(acc.Access)).Expect(t, 200, ""))
	for _, raw := range d["cards"].([]any) {
		card := raw.(map[string]any)
		if card["id"] == json.Number(strconv.FormatInt(c.ID, 10)) {
			return card["balance"].(json.Number).String()
		}
	}
	t.Fatalf("card %d not in the list: %v", c.ID, d)
	return ""
}

// cardDetailsBalance is the `balance` of GET /card/account-details.
func cardDetailsBalance(t *testing.T, h *apptest.Harness, acc apptest.Account, c apptest.Card) string {
	t.Helper()
	d := cmData(t, h.Do(http.MethodGet, fmt.Sprintf("/api/v1/card/account-details?card_id=%d", c.ID), nil,
		apptest.Bearer(acc.Access)).Expect(t, 200, ""))
	return d["balance"].(json.Number).String()
}

// swapHistory returns the caller's swap history rows (newest first) and the total.
func swapHistory(t *testing.T, h *apptest.Harness, acc apptest.Account) ([]map[string]any, string) {
	t.Helper()
	d := cmData(t, h.Do(http.MethodGet, swapHistoryPath+"?limit=100", nil, apptest.Bearer(acc.Access)).Expect(t, 200, ""))
	var rows []map[string]any
	for _, r := range d["transactions"].([]any) {
		rows = append(rows, r.(map[string]any))
	}
	return rows, d["pagination"].(map[string]any)["total"].(json.Number).String()
}

// swapRows returns the caller's unified transactions of type swap.
func swapRows(t *testing.T, h *apptest.Harness, acc apptest.Account) []map[string]any {
	t.Helper()
	d := cmData(t, h.Do(http.MethodGet, "/api/v1/wallet/unified-transactions?type=swap&page_size=100", nil,
		apptest.Bearer(acc.Access)).Expect(t, 200, ""))
	var rows []map[string]any
	for _, r := range d["items"].([]any) {
		rows = append(rows, r.(map[string]any))
	}
	return rows
}

// swapState is what a refused swap must leave untouched.
type swapState struct{ wallet, hkdEntry, card, swaps string }

func stateOf(t *testing.T, h *apptest.Harness, acc apptest.Account, c apptest.Card, currency string) swapState {
	t.Helper()
	_, total := swapHistory(t, h, acc)
	return swapState{balanceOf(t, h, acc, currency), balanceOf(t, h, acc, "HKD"), cardListBalance(t, h, acc, c), total}
}

// checkBooks verifies the ledger, that swap clearing is empty and that the
// simulated issuer holds exactly the card balance the ledger shows.
func checkBooks(t *testing.T, h *apptest.Harness, acc apptest.Account, c apptest.Card) {
	t.Helper()
	verifyLedger(t, h)
	var clearing int64
	if err := h.App.DB.SQL.QueryRow(`SELECT COALESCE(SUM(balance), 0) FROM ledger_accounts WHERE name = 'swap_clearing'`).Scan(&clearing); err != nil {
		t.Fatal(err)
	}
	if clearing != 0 {
		t.Errorf("swap clearing holds %d minor units after every swap ended", clearing)
	}
	var issuer int64
	if err := h.App.DB.SQL.QueryRow(`SELECT balance FROM sim_issuer_cards WHERE public_token = $1`, c.PublicToken).Scan(&issuer); err != nil {
		t.Fatal(err)
	}
	if got, want := strconv.FormatFloat(float64(issuer)/100, 'f', -1, 64), cardListBalance(t, h, acc, c); got != want {
		t.Errorf("the issuer holds %s HKD on the card, the ledger %s", got, want)
	}
}
