package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/comecomepay/comecomepay/internal/apptest"
)

// TestCommissionJourney is the whole path through the API: a referrer, a
// referee who signs up with the code, pays the card fee, gets a card and
// swaps; both levels are paid for both events.
func TestCommissionJourney(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		grand := h.Register(t, "grand@example.com")
		ref := h.RegisterWithReferral(t, "22334@test.com", referralCodeOf(t, h, grand))
		user, card := h.CardHolderReferred(t, "buyer@example.com", referralCodeOf(t, h, ref))

		// Card opening on the 5 USD fee: V1 pays 20 % at level 1, 5 % at level 2.
		list := waitCommissions(t, h, ref, 1)
		expectFields(t, "level 1 card opening", list[0], map[string]any{"type": "card_opening", "level": num("1"),
			"commission_amount": num("1"), "source_amount": num("5"), "rate": num("0.2"), "currency": "USDT-TRC20",
			"status": "credited", "created_at": "2026-02-25T12:00:00Z"})
		expectFields(t, "referee", list[0]["referee"].(map[string]any), map[string]any{"id": num(itoa(user.ID)), "email": "bu***@example.com"})
		list = waitCommissions(t, h, grand, 1)
		expectFields(t, "level 2 card opening", list[0], map[string]any{"type": "card_opening", "level": num("2"),
			"commission_amount": num("0.25"), "source_amount": num("5"), "rate": num("0.05"), "status": "credited"})

		// A 100 USDT top-up: fee 17.16 HKD = 2.2 USD at 7.80; 10 % and 5 %.
		h.Deposit(t, user, "USDT-TRC20", "100")
		postSwap(h, user, swapBody("USDT-TRC20", "HKD", 100, "card_id", card.ID)).Expect(t, 200, "")
		list = waitCommissions(t, h, ref, 2)
		expectFields(t, "level 1 transaction", list[0], map[string]any{"type": "transaction", "level": num("1"),
			"commission_amount": num("0.22"), "source_amount": num("2.2"), "rate": num("0.1"), "status": "credited"})
		list = waitCommissions(t, h, grand, 2)
		expectFields(t, "level 2 transaction", list[0], map[string]any{"type": "transaction", "level": num("2"),
			"commission_amount": num("0.11"), "source_amount": num("2.2"), "rate": num("0.05")})

		// The money is in the wallets, the books balance, the house paid it.
		if got := balanceOf(t, h, ref, "USDT-TRC20"); got != "1.22" {
			t.Errorf("referrer balance %s, want 1.22", got)
		}
		if got := balanceOf(t, h, grand, "USDT-TRC20"); got != "0.36" {
			t.Errorf("level-2 referrer balance %s, want 0.36", got)
		}
		checkBooks(t, h, user, card)
		var expense int64
		if err := h.App.DB.SQL.QueryRow(`SELECT COALESCE(SUM(balance), 0) FROM ledger_accounts WHERE name = 'commissions'`).Scan(&expense); err != nil {
			t.Fatal(err)
		}
		if expense != -1_580_000 {
			t.Errorf("commission expense %d, want -1580000 (1.22 + 0.36 USDT)", expense)
		}
		expectFields(t, "referrer stats", statsOf(t, h, ref), map[string]any{"level1_count": num("1"), "level2_count": num("0"),
			"total_referrals": num("1"), "total_commission": num("1.22"), "pending_commission": num("0"),
			"this_month_commission": num("1.22"), "level1_card_opening_commission": num("1"),
			"level1_transaction_commission": num("0.22"), "level2_card_opening_commission": num("0")})
		expectFields(t, "grand stats", statsOf(t, h, grand), map[string]any{"level1_count": num("1"), "level2_count": num("1"),
			"total_commission": num("0.36"), "level2_card_opening_commission": num("0.25"), "level2_transaction_commission": num("0.11")})

		// The unified history shows them as credited commissions (+).
		body := cmData(t, h.Do(http.MethodGet, "/api/v1/wallet/unified-transactions?type=commission", nil,
			apptest.Bearer(ref.Access)).Expect(t, 200, ""))
		items := body["items"].([]any)
		if len(items) != 2 {
			t.Fatalf("history %v", body)
		}
		for i, want := range []string{"0.22", "1"} {
			it := items[i].(map[string]any)
			expectFields(t, "history row", it, map[string]any{"type": "commission", "type_label": "Commission", "status": "credited",
				"status_label": "Credited", "amount": num(want), "currency": "USDT-TRC20", "source_table": "commissions"})
			if it["completed_at"] == nil {
				t.Errorf("credited commission without completed_at: %v", it)
			}
		}
		// One commission_credited notification per credit, data a JSON string.
		var n int
		var data string
		if err := h.App.DB.SQL.QueryRow(`SELECT COUNT(*), MIN(data) FROM notifications WHERE user_id = $1 AND type = 'commission_credited'`,
			ref.ID).Scan(&n, &data); err != nil {
			t.Fatal(err)
		}
		if n != 2 || data != `{"type":"commission_credited","amount":"0.22","currency":"USDT-TRC20","level":1,"commission_type":"transaction"}` &&
			data != `{"type":"commission_credited","amount":"1","currency":"USDT-TRC20","level":1,"commission_type":"card_opening"}` {
			t.Errorf("%d notifications, data %s", n, data)
		}
		// The paying user earned nothing and sees none of it.
		if l, _ := commissionsOf(t, h, user, ""); len(l) != 0 {
			t.Errorf("the referee sees commissions: %v", l)
		}
	})
}

// TestCommissionTiers checks that each beneficiary's tier is the one of
// their qualified referees when the commission is computed, at the tier
// boundaries, for both levels.
func TestCommissionTiers(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		grand := h.Register(t, "grand@example.com")
		ref := h.RegisterWithReferral(t, "ref@example.com", referralCodeOf(t, h, grand))
		// ref: 10 qualified referees (V1) and 2 that never paid.
		refs := insertReferees(t, h, ref.ID, "r", 12, 10)
		// grand: ref (unqualified) and 30 qualified others (V2).
		insertReferees(t, h, grand.ID, "g", 30, 30)

		pay(t, h, cardOpening(refs[0], 1))
		pay(t, h, swapFee(refs[0], 1))
		// An 11th qualified referee moves ref to V2; a 31st grand to V3.
		insertReferees(t, h, ref.ID, "r2-", 1, 1)
		insertReferees(t, h, grand.ID, "g2-", 1, 1)
		pay(t, h, cardOpening(refs[11], 2)) // an unqualified referee's event pays all the same
		pay(t, h, swapFee(refs[11], 2))

		l1, _ := commissionsOf(t, h, ref, "")
		l2, _ := commissionsOf(t, h, grand, "")
		if len(l1) != 4 || len(l2) != 4 {
			t.Fatalf("commissions: %d level 1, %d level 2", len(l1), len(l2))
		}
		// Newest first: V2 transaction, V2 card, V1 transaction, V1 card.
		for i, want := range [][2]string{{"0.15", "0.33"}, {"0.25", "1.25"}, {"0.1", "0.22"}, {"0.2", "1"}} {
			expectFields(t, "level 1 #"+itoa(int64(i)), l1[i], map[string]any{"level": num("1"), "rate": num(want[0]),
				"commission_amount": num(want[1])})
		}
		// grand: V3 transaction 10 %, V3 card 10 %, V2 transaction 5 %, V2 card 10 %.
		for i, want := range [][2]string{{"0.1", "0.22"}, {"0.1", "0.5"}, {"0.05", "0.11"}, {"0.1", "0.5"}} {
			expectFields(t, "level 2 #"+itoa(int64(i)), l2[i], map[string]any{"level": num("2"), "rate": num(want[0]),
				"commission_amount": num(want[1])})
		}
		if got := balanceOf(t, h, ref, "USDT-TRC20"); got != "2.8" {
			t.Errorf("referrer balance %s, want 1 + 0.22 + 1.25 + 0.33", got)
		}
		verifyLedger(t, h)
	})
}

// TestCommissionBeneficiaryStates: a frozen beneficiary's commission waits
// (pending), a deactivated one's is cancelled; neither is paid.
func TestCommissionBeneficiaryStates(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		grand := h.Register(t, "grand@example.com")
		ref := h.RegisterWithReferral(t, "ref@example.com", referralCodeOf(t, h, grand))
		payer := insertReferees(t, h, ref.ID, "p", 1, 1)[0]
		setStatus(t, h, ref.ID, "frozen")
		setStatus(t, h, grand.ID, "deactivated")
		pay(t, h, cardOpening(payer, 1))

		l, _ := commissionsOf(t, h, ref, "") // a frozen account still reads
		if len(l) != 1 {
			t.Fatalf("frozen referrer's commissions: %v", l)
		}
		expectFields(t, "frozen", l[0], map[string]any{"status": "pending", "commission_amount": num("1")})
		expectFields(t, "frozen stats", statsOf(t, h, ref), map[string]any{"pending_commission": num("1"), "total_commission": num("0")})
		if got := balanceOf(t, h, ref, "USDT-TRC20"); got != "0" {
			t.Errorf("frozen referrer was paid %s", got)
		}
		var statuses []string
		rows, err := h.App.DB.SQL.Query(`SELECT c.status || '/' || u.status FROM commissions c
			JOIN unified_transactions u ON u.source_table = 'commissions' AND u.source_id = c.id ORDER BY c.level`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			_ = rows.Scan(&s)
			statuses = append(statuses, s)
		}
		rows.Close()
		if len(statuses) != 2 || statuses[0] != "pending/pending" || statuses[1] != "cancelled/cancelled" {
			t.Errorf("commission/history statuses %v", statuses)
		}
		var notified, posted int
		_ = h.App.DB.SQL.QueryRow(`SELECT COUNT(*) FROM notifications WHERE type = 'commission_credited'`).Scan(&notified)
		_ = h.App.DB.SQL.QueryRow(`SELECT COUNT(*) FROM ledger_transactions WHERE kind = 'commission'`).Scan(&posted)
		if notified != 0 || posted != 0 {
			t.Errorf("%d notifications and %d ledger transactions for unpaid commissions", notified, posted)
		}
		verifyLedger(t, h)
	})
}

// TestCommissionJobRetried runs one event's job three times (a retry after
// a crash, a duplicate): each beneficiary is paid once.
func TestCommissionJobRetried(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		grand := h.Register(t, "grand@example.com")
		ref := h.RegisterWithReferral(t, "ref@example.com", referralCodeOf(t, h, grand))
		payer := insertReferees(t, h, ref.ID, "p", 1, 1)[0]
		for range 3 {
			pay(t, h, swapFee(payer, 42))
		}
		if l, p := commissionsOf(t, h, ref, ""); len(l) != 1 || p["total"] != num("1") {
			t.Errorf("referrer: %v", l)
		}
		if l, _ := commissionsOf(t, h, grand, ""); len(l) != 1 {
			t.Errorf("grand: %v", l)
		}
		if a, b := balanceOf(t, h, ref, "USDT-TRC20"), balanceOf(t, h, grand, "USDT-TRC20"); a != "0.22" || b != "0.11" {
			t.Errorf("balances %s and %s, want 0.22 and 0.11", a, b)
		}
		var posted int
		_ = h.App.DB.SQL.QueryRow(`SELECT COUNT(*) FROM ledger_transactions WHERE kind = 'commission'`).Scan(&posted)
		if posted != 2 {
			t.Errorf("%d commission ledger transactions, want 2", posted)
		}
		// Another event of the same user is a new commission.
		pay(t, h, swapFee(payer, 43))
		if l, _ := commissionsOf(t, h, ref, ""); len(l) != 2 {
			t.Errorf("second event: %v", l)
		}
		verifyLedger(t, h)
	})
}
