package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/chain"
	"github.com/comecomepay/comecomepay/internal/config"
	"github.com/comecomepay/comecomepay/internal/providers/custody"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

// walletView is the wallet object of GET /wallet (the fields the tests read).
type walletView struct {
	UserID         int64   `json:"user_id"`
	Currency       string  `json:"currency"`
	Status         string  `json:"status"`
	TotalAssetUSDT float64 `json:"total_asset_usdt"`
	TotalAssetHKD  float64 `json:"total_asset_hkd"`
	Balances       []struct {
		Currency string  `json:"currency"`
		Balance  float64 `json:"balance"`
		Address  string  `json:"address"`
	} `json:"balances"`
}

func walletOf(t *testing.T, h *apptest.Harness, acc apptest.Account) walletView {
	t.Helper()
	res := h.Do(http.MethodGet, "/api/v1/wallet/", nil, apptest.Bearer(acc.Access), apptest.Header{Name: "id_user", Value: "999"}).Expect(t, 200, "")
	w := apptest.Decode[struct {
		Wallet *walletView `json:"wallet"`
	}](t, res).Wallet
	if w == nil {
		t.Fatalf("no wallet object: %s", res.Body)
	}
	return *w
}

func balanceOf(t *testing.T, h *apptest.Harness, acc apptest.Account, currency string) string {
	t.Helper()
	res := h.Do(http.MethodGet, "/api/v1/wallet", nil, apptest.Bearer(acc.Access)).Expect(t, 200, "")
	var body struct {
		Wallet struct {
			ByCurrency map[string]json.Number `json:"balances_by_currency"`
		} `json:"wallet"`
	}
	if err := json.Unmarshal(res.Body, &body); err != nil {
		t.Fatal(err)
	}
	return body.Wallet.ByCurrency[currency].String()
}

func verifyLedger(t *testing.T, h *apptest.Harness) {
	t.Helper()
	report, err := h.App.Ledger.VerifySnapshot(context.Background())
	if err != nil || !report.OK() {
		t.Fatalf("ledger verify: %v\n%s", err, report)
	}
}

func TestWalletOverview(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "wallet@example.com")
		w := walletOf(t, h, acc)
		if w.UserID != acc.ID || w.Currency != "USD" || w.Status != "active" {
			t.Fatalf("wallet head = %+v", w)
		}
		balances := w.Balances
		want := []string{"USDT-TRC20", "USDT-ERC20", "USDC-TRC20", "USDC-ERC20", "HKD"}
		if len(balances) != len(want) {
			t.Fatalf("%d balances, want %d", len(balances), len(want))
		}
		addrs := map[string]string{}
		for i, b := range balances {
			if b.Currency != want[i] || b.Balance != 0 {
				t.Errorf("balance %d = %+v", i, b)
			}
			addrs[want[i]] = b.Address
		}
		if !chain.Valid(chain.TRC20, addrs["USDT-TRC20"]) || addrs["USDT-TRC20"] != addrs["USDC-TRC20"] {
			t.Errorf("TRON addresses %q %q", addrs["USDT-TRC20"], addrs["USDC-TRC20"])
		}
		if !chain.Valid(chain.ERC20, addrs["USDT-ERC20"]) || addrs["USDT-ERC20"] != addrs["USDC-ERC20"] {
			t.Errorf("EVM addresses %q %q", addrs["USDT-ERC20"], addrs["USDC-ERC20"])
		}
		if addrs["HKD"] != "" {
			t.Errorf("HKD address %q", addrs["HKD"])
		}
		// Addresses are stable and never shared.
		if again := walletOf(t, h, acc).Balances[0].Address; again != addrs["USDT-TRC20"] {
			t.Errorf("address changed: %v", again)
		}
		other := h.Register(t, "other@example.com")
		if walletOf(t, h, other).Balances[0].Address == addrs["USDT-TRC20"] {
			t.Error("two users share a deposit address")
		}

		h.Deposit(t, acc, "USDT-TRC20", "120.5")
		w = walletOf(t, h, acc)
		if w.TotalAssetUSDT != 120.5 || w.TotalAssetHKD != 939.9 {
			t.Errorf("totals usdt=%v hkd=%v, want 120.5 and 939.9", w.TotalAssetUSDT, w.TotalAssetHKD)
		}
		if got := balanceOf(t, h, acc, "USDT-TRC20"); got != "120.5" {
			t.Errorf("balance %s", got)
		}
		h.Do(http.MethodGet, "/api/v1/wallet", nil).Expect(t, 401, "UNAUTHORIZED")
		verifyLedger(t, h)
	})
}

// expectCustodyReply checks the plain-text answer the provider reads.
func expectCustodyReply(t *testing.T, res *apptest.Response, status int, text string) {
	t.Helper()
	if res.Status != status || string(res.Body) != text || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("custody reply = %d %q (%s), want %d %q as text/plain", res.Status, res.Body, res.Header.Get("Content-Type"), status, text)
	}
}

// custodyPost sends a signed (or, with badSign, forged) custody callback.
func custodyPost(h *apptest.Harness, path string, event map[string]any, badSign bool) *apptest.Response {
	body, _ := json.Marshal(event)
	nonce, ts := "n0nce", "1767225600"
	sign := custody.NewSigner("test-custody-api-key").Sign(string(body), nonce, ts)
	if badSign {
		sign = strings.Repeat("0", 32)
	}
	form := url.Values{"body": {string(body)}, "nonce": {nonce}, "timestamp": {ts}, "sign": {sign}}
	return h.Do(http.MethodPost, path, form.Encode(), apptest.Header{Name: "Content-Type", Value: "application/x-www-form-urlencoded"})
}

func depositEvent(tradeID, address string, status int, amount string) map[string]any {
	return map[string]any{"tradeId": tradeID, "tradeType": 1, "address": address, "mainCoinType": "195",
		"coinType": "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "amount": amount, "fee": "0", "decimals": 6,
		"status": status, "txId": "0xfeed" + tradeID, "blockHigh": "10"}
}

// processAll runs every stored webhook event now instead of waiting for the job.
func processAll(t *testing.T, h *apptest.Harness) {
	t.Helper()
	rows, err := h.App.DB.SQL.Query(`SELECT id FROM webhook_events`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		_ = rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		if err := h.App.Inbox.Process(context.Background(), id); err != nil {
			t.Fatalf("process %d: %v", id, err)
		}
	}
}

func TestCustodyCallback(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "deposit@example.com")
		addr := walletOf(t, h, acc).Balances[0].Address

		res := custodyPost(h, "/api/v1/webhooks/custody", depositEvent("t-forged", addr, 3, "5000000"), true)
		expectCustodyReply(t, res, 401, "SIGN_INVALID")

		// Pending first, then confirmed: credited once, on confirmation.
		expectCustodyReply(t, custodyPost(h, "/api/v1/yudun/callback", depositEvent("t-1", addr, 1, "7000000"), false), 200, "success")
		processAll(t, h)
		if got := balanceOf(t, h, acc, "USDT-TRC20"); got != "0" {
			t.Fatalf("pending deposit credited: %s", got)
		}
		// The confirmation is delivered 5 times at once.
		var wg sync.WaitGroup
		for range 5 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if res := custodyPost(h, "/api/v1/webhooks/custody", depositEvent("t-1", addr, 3, "7000000"), false); res.Status != 200 {
					t.Errorf("delivery: %d %s", res.Status, res.Body)
				}
			}()
		}
		wg.Wait()
		processAll(t, h)
		if got := balanceOf(t, h, acc, "USDT-TRC20"); got != "7" {
			t.Fatalf("after 5 deliveries balance = %s, want 7", got)
		}

		for name, ev := range map[string]map[string]any{
			"unknown address": depositEvent("t-unknown", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", 3, "9000000"),
			"below minimum":   depositEvent("t-small", addr, 3, "999999"),
			"failed on chain": depositEvent("t-failed", addr, 4, "9000000"),
			"negative amount": depositEvent("t-neg", addr, 3, "-9000000"),
			"garbage amount":  depositEvent("t-nan", addr, 3, "12abc"),
			"unknown contract": func() map[string]any {
				e := depositEvent("t-coin", addr, 3, "9000000")
				e["coinType"] = "Tfake"
				return e
			}(),
		} {
			if res := custodyPost(h, "/api/v1/webhooks/custody", ev, false); res.Status != 200 {
				t.Errorf("%s: %d %s", name, res.Status, res.Body)
			}
		}
		// 18 decimals are truncated to the currency's 6.
		precise := depositEvent("t-precise", addr, 3, "2500000999999999999")
		precise["decimals"] = 18
		custodyPost(h, "/api/v1/webhooks/custody", precise, false).Expect(t, 200, "")
		processAll(t, h)
		if got := balanceOf(t, h, acc, "USDT-TRC20"); got != "9.500000" && got != "9.5" {
			t.Fatalf("balance = %s, want 9.5 (7 + 2.500000 truncated)", got)
		}
		res = custodyPost(h, "/api/v1/webhooks/custody", map[string]any{"tradeType": 1}, false)
		if res.Status != 400 {
			t.Errorf("signed event without tradeId: %d %s", res.Status, res.Body)
		}
		verifyLedger(t, h)
	})
}

func TestTransferByUID(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		alice, bob := h.Register(t, "alice@example.com"), h.Register(t, "bob@example.com")
		h.Deposit(t, alice, "USDT-TRC20", "100")
		body := func(amount any, extra ...string) map[string]any {
			b := map[string]any{"recipient_uid": bob.ID, "currency": "USDT-TRC20", "amount": amount, "transaction_password": apptest.TxPassword}
			for i := 0; i+1 < len(extra); i += 2 {
				b[extra[i]] = extra[i+1]
			}
			return b
		}
		auth := apptest.Bearer(alice.Access)
		h.Do(http.MethodPost, "/api/v1/wallet/transfer-by-uid", body("10"), auth).Expect(t, 400, "TRANSACTION_PASSWORD_NOT_SET")
		h.SetTxPassword(t, alice)

		for _, tc := range []struct {
			name   string
			body   map[string]any
			status int
			code   string
		}{
			{"self", map[string]any{"recipient_uid": alice.ID, "currency": "USDT-TRC20", "amount": 1, "transaction_password": apptest.TxPassword}, 400, "SELF_TRANSFER"},
			{"unknown recipient", map[string]any{"recipient_uid": 987654, "currency": "USDT-TRC20", "amount": 1, "transaction_password": apptest.TxPassword}, 404, "RECIPIENT_NOT_FOUND"},
			{"HKD", body("1", "currency", "HKD"), 400, "UNSUPPORTED_CURRENCY"},
			{"unknown currency", body("1", "currency", "BTC"), 400, "UNSUPPORTED_CURRENCY"},
			{"too much", body("100.01"), 400, "INSUFFICIENT_BALANCE"},
			{"too precise", body("0.0000001"), 400, "VALIDATION_FAILED"},
			{"negative", body(-5), 400, "VALIDATION_FAILED"},
			{"zero", body("0"), 400, "VALIDATION_FAILED"},
			{"exponent", body("1e2"), 400, "VALIDATION_FAILED"},
			{"huge", body("1000000001"), 400, "VALIDATION_FAILED"},
			{"below minimum", body("0.001"), 400, "VALIDATION_FAILED"},
			{"amount is a bool", body(true), 400, "VALIDATION_FAILED"},
			{"wrong password", body("1", "transaction_password", "000000"), 400, "INVALID_TRANSACTION_PASSWORD"},
			{"uid as garbage", body("1", "recipient_uid", "abc"), 400, "VALIDATION_FAILED"},
		} {
			res := h.Do(http.MethodPost, "/api/v1/wallet/transfer-by-uid", tc.body, auth)
			if res.Status != tc.status || res.Code() != tc.code {
				t.Errorf("%s: %d %s, want %d %s", tc.name, res.Status, res.Code(), tc.status, tc.code)
			}
		}
		if got := balanceOf(t, h, alice, "USDT-TRC20"); got != "100" {
			t.Fatalf("refused transfers changed the balance: %s", got)
		}

		// uid as a numeric string and amount as a number are both accepted.
		res := h.Do(http.MethodPost, "/api/v1/wallet/transfer-by-uid", body(25, "recipient_uid", fmt.Sprint(bob.ID)), auth).Expect(t, 200, "")
		tr := apptest.Decode[struct {
			Amount        float64 `json:"amount"`
			NewBalance    float64 `json:"new_balance"`
			RecipientUID  int64   `json:"recipient_uid"`
			TransactionID *int64  `json:"transaction_id"`
		}](t, res)
		if tr.Amount != 25 || tr.NewBalance != 75 || tr.RecipientUID != bob.ID {
			t.Fatalf("transfer response %s", res.Body)
		}
		if tr.TransactionID == nil || *tr.TransactionID <= 0 {
			t.Fatalf("transaction_id %s", res.Body)
		}
		if got := balanceOf(t, h, bob, "USDT-TRC20"); got != "25" {
			t.Fatalf("bob has %s", got)
		}
		// The transfer row names the ledger transaction that moved the money
		// (booked before the row exists, so its reference cannot name it),
		// and the history rows keep the transfer's own TRF<id>.
		var transferID, ledgerTx, debit, credit int64
		var ledgerRef, kind, historyRef string
		if err := h.App.DB.SQL.QueryRow(`SELECT t.id, t.ledger_tx_id, l.reference, l.kind,
				(SELECT amount FROM ledger_postings p JOIN ledger_accounts a ON a.id = p.account_id WHERE p.transaction_id = l.id AND a.owner_id = t.sender_id),
				(SELECT amount FROM ledger_postings p JOIN ledger_accounts a ON a.id = p.account_id WHERE p.transaction_id = l.id AND a.owner_id = t.recipient_id),
				(SELECT reference FROM unified_transactions h WHERE h.source_table = 'transfers' AND h.source_id = t.id AND h.user_id = t.sender_id)
			FROM transfers t JOIN ledger_transactions l ON l.id = t.ledger_tx_id WHERE t.sender_id = $1`, alice.ID).
			Scan(&transferID, &ledgerTx, &ledgerRef, &kind, &debit, &credit, &historyRef); err != nil {
			t.Fatalf("transfer row and its ledger transaction: %v", err)
		}
		if ledgerTx <= 0 || kind != "transfer" || !strings.HasPrefix(ledgerRef, "transfer:") || debit != -credit || credit <= 0 ||
			historyRef != "TRF"+strconv.FormatInt(transferID, 10) {
			t.Fatalf("transfer %d: ledger tx %d %q %q, postings %d/%d, history reference %q", transferID, ledgerTx, kind, ledgerRef, debit, credit, historyRef)
		}

		// Idempotency: replay, conflict, malformed key.
		key := apptest.Header{Name: "Idempotency-Key", Value: "transfer-key-0001"}
		first := h.Do(http.MethodPost, "/api/v1/wallet/transfer-by-uid", body("5"), auth, key).Expect(t, 200, "")
		again := h.Do(http.MethodPost, "/api/v1/wallet/transfer-by-uid", body("5"), auth, key).Expect(t, 200, "")
		if string(first.Body) != string(again.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay differs:\n%s\n%s", first.Body, again.Body)
		}
		h.Do(http.MethodPost, "/api/v1/wallet/transfer-by-uid", body("6"), auth, key).Expect(t, 409, "IDEMPOTENCY_CONFLICT")
		h.Do(http.MethodPost, "/api/v1/wallet/transfer-by-uid", body("5"), auth, apptest.Header{Name: "Idempotency-Key", Value: "bad key"}).Expect(t, 400, "VALIDATION_FAILED")
		if got := balanceOf(t, h, alice, "USDT-TRC20"); got != "70" {
			t.Fatalf("after an idempotent retry alice has %s, want 70", got)
		}
		// A refused request is final for its key too.
		nsfKey := apptest.Header{Name: "Idempotency-Key", Value: "transfer-key-0002"}
		h.Do(http.MethodPost, "/api/v1/wallet/transfer-by-uid", body("1000"), auth, nsfKey).Expect(t, 400, "INSUFFICIENT_BALANCE")
		h.Do(http.MethodPost, "/api/v1/wallet/transfer-by-uid", body("1000"), auth, nsfKey).Expect(t, 400, "INSUFFICIENT_BALANCE")
		verifyLedger(t, h)
	})
}

// TestParallelTransfersLeaveOneWinnerPerCoin races 50 transfers of 7 from a
// balance of 100: exactly 14 go through.
func TestParallelTransfersLeaveOneWinnerPerCoin(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		alice, bob := h.Register(t, "race-a@example.com"), h.Register(t, "race-b@example.com")
		h.SetTxPassword(t, alice)
		h.Deposit(t, alice, "USDT-TRC20", "100")
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			ok, nsf int
		)
		for i := range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res := h.Do(http.MethodPost, "/api/v1/wallet/transfer-by-uid", map[string]any{"recipient_uid": bob.ID,
					"currency": "USDT-TRC20", "amount": "7", "transaction_password": apptest.TxPassword},
					apptest.Bearer(alice.Access), apptest.Header{Name: "Idempotency-Key", Value: fmt.Sprintf("race-%04d", i)})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case res.Status == 200:
					ok++
				case res.Code() == "INSUFFICIENT_BALANCE":
					nsf++
				default:
					t.Errorf("transfer %d: %d %s", i, res.Status, res.Body)
				}
			}()
		}
		wg.Wait()
		if ok != 14 || nsf != 36 {
			t.Fatalf("%d done, %d refused; want 14 and 36", ok, nsf)
		}
		if a, b := balanceOf(t, h, alice, "USDT-TRC20"), balanceOf(t, h, bob, "USDT-TRC20"); a != "2" || b != "98" {
			t.Fatalf("balances %s and %s, want 2 and 98", a, b)
		}
		verifyLedger(t, h)
	})
}

func TestDeactivationBlockedByMoney(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		alice, bob := h.Register(t, "leaving@example.com"), h.Register(t, "staying@example.com")
		h.SetTxPassword(t, alice)
		h.Deposit(t, alice, "USDT-TRC20", "12.5")
		res := h.Do(http.MethodPost, "/api/v1/user/deactivate/request", nil, apptest.Bearer(alice.Access)).Expect(t, 400, "DEACTIVATION_BLOCKED")
		if d := apptest.Decode[apptest.ErrorBody](t, res).Details; !strings.Contains(d, "12.5 USDT-TRC20") {
			t.Errorf("details %q do not say which balance", d)
		}
		h.Do(http.MethodPost, "/api/v1/wallet/transfer-by-uid", map[string]any{"recipient_uid": bob.ID, "currency": "USDT-TRC20",
			"amount": "12.5", "transaction_password": apptest.TxPassword}, apptest.Bearer(alice.Access)).Expect(t, 200, "")
		h.Do(http.MethodPost, "/api/v1/user/deactivate/request", nil, apptest.Bearer(alice.Access)).Expect(t, 200, "")
	})
}

func TestSandboxToken(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine, func(c *config.Config) { c.SandboxToken = "let-me-in-please" })
		acc := h.Register(t, "token@example.com")
		body := map[string]any{"currency": "USDT-TRC20", "amount": "5", "user_id": acc.ID}
		h.Do(http.MethodPost, "/api/v1/sandbox/deposits", body).Expect(t, 401, "UNAUTHORIZED")
		h.Do(http.MethodPost, "/api/v1/sandbox/deposits", body, apptest.Header{Name: "X-Sandbox-Token", Value: "wrong"}).Expect(t, 401, "UNAUTHORIZED")
		h.Do(http.MethodPost, "/api/v1/sandbox/deposits", body, apptest.Header{Name: "X-Sandbox-Token", Value: "let-me-in-please"}).Expect(t, 200, "")
	})
}

func TestSandboxDepositIdempotency(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := h.Register(t, "sbx-idem@example.com")
		key := apptest.Header{Name: "Idempotency-Key", Value: "sandbox-dep-0001"}
		body := map[string]any{"currency": "USDT-ERC20", "amount": "3.25", "email": acc.Email}
		first := h.Do(http.MethodPost, "/api/v1/sandbox/deposits", body, key).Expect(t, 200, "")
		again := h.Do(http.MethodPost, "/api/v1/sandbox/deposits", body, key).Expect(t, 200, "")
		if string(first.Body) != string(again.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay differs:\n%s\n%s", first.Body, again.Body)
		}
		if got := balanceOf(t, h, acc, "USDT-ERC20"); got != "3.25" {
			t.Fatalf("balance %s after a replayed deposit, want 3.25", got)
		}
		body["amount"] = "4"
		h.Do(http.MethodPost, "/api/v1/sandbox/deposits", body, key).Expect(t, 409, "IDEMPOTENCY_CONFLICT")
	})
}

// TestConcurrentDuplicateTransferExecutesOnce sends one transfer with one
// Idempotency-Key ten times at once: the money moves once; every answer is
// the stored success or 409 IDEMPOTENCY_IN_PROGRESS.
func TestConcurrentDuplicateTransferExecutesOnce(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		alice, bob := h.Register(t, "dup-a@example.com"), h.Register(t, "dup-b@example.com")
		h.SetTxPassword(t, alice)
		h.Deposit(t, alice, "USDT-TRC20", "100")
		body := map[string]any{"recipient_uid": bob.ID, "currency": "USDT-TRC20", "amount": "10", "transaction_password": apptest.TxPassword}
		var wg sync.WaitGroup
		var mu sync.Mutex
		statuses := map[int]int{}
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res := h.Do(http.MethodPost, "/api/v1/wallet/transfer-by-uid", body, apptest.Bearer(alice.Access),
					apptest.Header{Name: "Idempotency-Key", Value: "same-key-everywhere"})
				mu.Lock()
				statuses[res.Status]++
				mu.Unlock()
				if res.Status != 200 && res.Code() != "IDEMPOTENCY_IN_PROGRESS" {
					t.Errorf("duplicate answered %d %s", res.Status, res.Body)
				}
			}()
		}
		wg.Wait()
		if statuses[200] < 1 {
			t.Fatalf("no request succeeded: %v", statuses)
		}
		if got := balanceOf(t, h, bob, "USDT-TRC20"); got != "10" {
			t.Fatalf("bob received %s from 10 duplicates, want 10 once", got)
		}
		verifyLedger(t, h)
	})
}
