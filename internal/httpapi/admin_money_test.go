package httpapi_test

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/operator"
)

type adminWithdrawalOut struct {
	ID           int64   `json:"id"`
	UserID       int64   `json:"user_id"`
	Status       string  `json:"status"`
	Amount       float64 `json:"amount"`
	RejectReason string  `json:"reject_reason"`
}

type adminDepositOut struct {
	ID            int64   `json:"id"`
	UserID        *int64  `json:"user_id"`
	Status        string  `json:"status"`
	Amount        float64 `json:"amount"`
	CustodyStatus int     `json:"custody_status"`
}

type pageOut[T any] struct {
	Items []T `json:"items"`
	Total int `json:"total"`
}

// auditActions returns the actions of the audit rows on a target, newest first.
func auditActions(t *testing.T, h *apptest.Harness, targetType, targetID string) []audit.Row {
	t.Helper()
	rows, _, err := h.App.Audit.List(context.Background(), audit.Filter{TargetType: targetType, TargetID: targetID}, 50, 0)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestOperatorReviewsWithdrawals: the queue, approval (queued for custody,
// settled by it), rejection with the refund of amount and fee, the
// four-eyes path above the threshold, and who may do what.
func TestOperatorReviewsWithdrawals(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		fin := h.Operator(t, "fin@ops.example.com", operator.Finance)
		fin2 := h.Operator(t, "fin2@ops.example.com", operator.Finance)
		comp := h.Operator(t, "comp@ops.example.com", operator.Compliance)
		alice := h.Register(t, "alice@example.com")
		auth := apptest.Bearer(fin.Token)
		path := func(id int64, action string) string {
			return "/api/v1/admin/withdrawals/" + strconv.FormatInt(id, 10) + "/" + action
		}

		first := pendingWithdrawal(t, h, alice, "30")
		list := apptest.Data[pageOut[adminWithdrawalOut]](t, h.Do(http.MethodGet,
			"/api/v1/admin/withdrawals?status=pending&user_id="+strconv.FormatInt(alice.ID, 10), nil, apptest.Bearer(comp.Token)).Expect(t, 200, ""))
		if list.Total != 1 || list.Items[0].ID != first || list.Items[0].Amount != 30 {
			t.Fatalf("pending queue: %+v", list)
		}
		h.Do(http.MethodGet, "/api/v1/admin/withdrawals?status=stuck", nil, auth).Expect(t, 400, "VALIDATION_FAILED")
		// Ids beyond 32 bits filter as well (PostgreSQL types the parameter as BIGINT).
		for _, list := range []string{"withdrawals", "deposits", "card-fee-payments"} {
			res := h.Do(http.MethodGet, "/api/v1/admin/"+list+"?user_id=9999999999", nil, auth).Expect(t, 200, "")
			if got := apptest.Data[pageOut[struct{}]](t, res); got.Total != 0 {
				t.Fatalf("%s of user 9999999999: %s", list, res.Body)
			}
		}
		h.Do(http.MethodPost, path(first, "approve"), map[string]any{"reason": "ok"}, apptest.Bearer(comp.Token)).Expect(t, 403, "FORBIDDEN")
		h.Do(http.MethodPost, path(first, "approve"), map[string]any{}, auth).Expect(t, 400, "VALIDATION_FAILED")

		res := h.Do(http.MethodPost, path(first, "approve"), map[string]any{"reason": "address screened"}, auth).Expect(t, 200, "")
		if got := apptest.Data[adminWithdrawalOut](t, res); got.Status != "approved" {
			t.Fatalf("approved: %s", res.Body)
		}
		// A retried approval never submits twice.
		h.Do(http.MethodPost, path(first, "approve"), map[string]any{"reason": "again"}, auth).Expect(t, 400, "INVALID_STATE")
		waitWithdrawal(t, h, alice, "completed")

		second := pendingWithdrawal(t, h, alice, "20")
		h.Do(http.MethodPost, path(second, "reject"), map[string]any{"reason": " "}, auth).Expect(t, 400, "VALIDATION_FAILED")
		res = h.Do(http.MethodPost, path(second, "reject"), map[string]any{"reason": "sanctioned address"}, auth).Expect(t, 200, "")
		if got := apptest.Data[adminWithdrawalOut](t, res); got.Status != "rejected" || got.RejectReason != "sanctioned address" {
			t.Fatalf("rejected: %s", res.Body)
		}
		if got := balanceOf(t, h, alice, "USDT-TRC20"); got != "20" {
			t.Fatalf("after the rejection the balance is %s, want the 20 held (fee included)", got)
		}
		h.Do(http.MethodPost, path(second, "reject"), map[string]any{"reason": "twice"}, auth).Expect(t, 400, "INVALID_STATE")
		h.Do(http.MethodPost, path(987654, "reject"), map[string]any{"reason": "x"}, auth).Expect(t, 404, "NOT_FOUND")

		// Above the threshold: a request, approved by a second operator.
		big := pendingWithdrawal(t, h, alice, "1500")
		res = h.Do(http.MethodPost, path(big, "approve"), map[string]any{"reason": "large, documented"}, auth).Expect(t, 202, "")
		req := apptest.Data[approvalOut](t, res)
		if req.Kind != "withdrawal.approve" || req.Status != "pending" {
			t.Fatalf("four-eyes request: %s", res.Body)
		}
		h.Do(http.MethodPost, path(big, "approve"), map[string]any{"reason": "again"}, apptest.Bearer(fin2.Token)).Expect(t, 409, "APPROVAL_PENDING")
		approve := "/api/v1/admin/approvals/" + strconv.FormatInt(req.ID, 10) + "/approve"
		h.Do(http.MethodPost, approve, nil, auth).Expect(t, 403, "FOUR_EYES_REQUIRED")
		h.Do(http.MethodPost, approve, map[string]any{"note": "ok"}, apptest.Bearer(fin2.Token)).Expect(t, 200, "")
		rows := auditActions(t, h, "withdrawal", strconv.FormatInt(big, 10))
		if len(rows) != 2 || rows[0].Action != "withdrawal.approve" || rows[0].Actor.ID != fin2.ID || rows[1].Action != "approval.request" {
			t.Fatalf("audit of the large withdrawal: %+v", rows)
		}
		waitWithdrawal(t, h, alice, "completed")
		verifyLedger(t, h)
	})
}

// TestOperatorCreditsDeposits: an unmatched deposit is assigned then
// credited once; a deposit custody has not confirmed waits until it does;
// ten concurrent credits of a below-minimum deposit credit it once; a large
// one needs a second operator.
func TestOperatorCreditsDeposits(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		fin := h.Operator(t, "fin@ops.example.com", operator.Finance)
		fin2 := h.Operator(t, "fin2@ops.example.com", operator.Finance)
		auth := apptest.Bearer(fin.Token)
		alice, bob := h.Register(t, "alice@example.com"), h.Register(t, "bob@example.com")
		path := func(id int64, action string) string {
			return "/api/v1/admin/deposits/" + strconv.FormatInt(id, 10) + "/" + action
		}
		reason := map[string]any{"reason": "ticket 17"}

		lost := unmatchedDeposit(t, h, "lost-1", 3, "30")
		list := apptest.Data[pageOut[adminDepositOut]](t, h.Do(http.MethodGet, "/api/v1/admin/deposits?status=unmatched", nil, auth).Expect(t, 200, ""))
		if list.Total != 1 || list.Items[0].ID != lost || list.Items[0].UserID != nil || list.Items[0].Amount != 30 {
			t.Fatalf("unmatched queue: %+v", list)
		}
		h.Do(http.MethodPost, path(lost, "credit"), reason, auth).Expect(t, 400, "INVALID_STATE") // no user yet
		h.Do(http.MethodPost, path(lost, "assign"), map[string]any{"user_id": 987654}, auth).Expect(t, 404, "USER_NOT_FOUND")
		h.Do(http.MethodPost, path(lost, "assign"), map[string]any{"user_id": bob.ID}, auth).Expect(t, 200, "")
		res := h.Do(http.MethodPost, path(lost, "assign"), map[string]any{"user_id": strconv.FormatInt(alice.ID, 10)}, auth).Expect(t, 200, "")
		if got := apptest.Data[adminDepositOut](t, res); got.UserID == nil || *got.UserID != alice.ID || got.Status != "unmatched" {
			t.Fatalf("reassigned: %s", res.Body)
		}
		res = h.Do(http.MethodPost, path(lost, "credit"), reason, auth).Expect(t, 200, "")
		if got := apptest.Data[adminDepositOut](t, res); got.Status != "completed" {
			t.Fatalf("credited: %s", res.Body)
		}
		if got := balanceOf(t, h, alice, "USDT-TRC20"); got != "30" {
			t.Fatalf("alice has %s after the credit", got)
		}
		h.Do(http.MethodPost, path(lost, "credit"), reason, auth).Expect(t, 400, "INVALID_STATE")
		h.Do(http.MethodPost, path(lost, "assign"), map[string]any{"user_id": bob.ID}, auth).Expect(t, 400, "INVALID_STATE")

		// Not confirmed yet: no credit until custody confirms.
		waiting := unmatchedDeposit(t, h, "lost-2", 1, "12")
		h.Do(http.MethodPost, path(waiting, "assign"), map[string]any{"user_id": bob.ID}, auth).Expect(t, 200, "")
		h.Do(http.MethodPost, path(waiting, "credit"), reason, auth).Expect(t, 400, "INVALID_STATE")
		unmatchedDeposit(t, h, "lost-2", 3, "12")
		h.Do(http.MethodPost, path(waiting, "credit"), reason, auth).Expect(t, 200, "")

		// Ten concurrent manual credits of one deposit: one credit.
		small := belowMinimumDeposit(t, h, bob, "0.5")
		var (
			wg       sync.WaitGroup
			mu       sync.Mutex
			statuses = map[int]int{}
		)
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res := h.Do(http.MethodPost, path(small, "credit"), reason, auth)
				mu.Lock()
				statuses[res.Status]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if statuses[200] != 1 || statuses[400] != 9 {
			t.Fatalf("ten concurrent credits answered %v, want one 200 and nine 400", statuses)
		}
		if got := balanceOf(t, h, bob, "USDT-TRC20"); got != "12.5" {
			t.Fatalf("bob has %s, want 12.5", got)
		}

		// Above the threshold: a second operator.
		large := unmatchedDeposit(t, h, "lost-3", 3, "2500")
		h.Do(http.MethodPost, path(large, "assign"), map[string]any{"user_id": bob.ID}, auth).Expect(t, 200, "")
		req := apptest.Data[approvalOut](t, h.Do(http.MethodPost, path(large, "credit"), reason, auth).Expect(t, 202, ""))
		if got := balanceOf(t, h, bob, "USDT-TRC20"); got != "12.5" {
			t.Fatalf("a pending request credited: bob has %s", got)
		}
		h.Do(http.MethodPost, "/api/v1/admin/approvals/"+strconv.FormatInt(req.ID, 10)+"/approve", nil, apptest.Bearer(fin2.Token)).Expect(t, 200, "")
		if got := balanceOf(t, h, bob, "USDT-TRC20"); got != "2512.5" {
			t.Fatalf("bob has %s after the approval", got)
		}
		verifyLedger(t, h)
	})
}

// TestFourEyesAdjustment: an adjustment above the threshold is a pending
// request; its requester cannot approve it; of ten parallel approvals by a
// second finance operator one executes, booking one ledger transaction;
// the ledger verifies afterwards.
func TestFourEyesAdjustment(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		requester := h.Operator(t, "requester@ops.example.com", operator.Finance)
		approver := h.Operator(t, "approver@ops.example.com", operator.Finance)
		alice := h.Register(t, "alice@example.com")
		res := h.Do(http.MethodPost, "/api/v1/admin/ledger/adjustments", map[string]any{"user_id": alice.ID, "currency": "USDT-TRC20",
			"amount": "2000", "reason": "legacy balance migration"}, apptest.Bearer(requester.Token)).Expect(t, 202, "")
		req := apptest.Data[approvalOut](t, res)
		if req.Kind != "ledger.adjust" || req.Status != "pending" {
			t.Fatalf("request: %s", res.Body)
		}
		if got := balanceOf(t, h, alice, "USDT-TRC20"); got != "0" {
			t.Fatalf("a pending adjustment moved money: %s", got)
		}
		approve := "/api/v1/admin/approvals/" + strconv.FormatInt(req.ID, 10) + "/approve"
		h.Do(http.MethodPost, approve, nil, apptest.Bearer(requester.Token)).Expect(t, 403, "FOUR_EYES_REQUIRED")

		adjustments := func() (n int) {
			if err := h.App.DB.SQL.QueryRow(`SELECT COUNT(*) FROM ledger_transactions WHERE kind = 'adjustment'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		var (
			wg       sync.WaitGroup
			mu       sync.Mutex
			statuses = map[int]int{}
		)
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res := h.Do(http.MethodPost, approve, map[string]any{"note": "statement checked"}, apptest.Bearer(approver.Token))
				mu.Lock()
				statuses[res.Status]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if statuses[200] != 1 || statuses[400] != 9 {
			t.Fatalf("ten parallel approvals answered %v, want one 200 and nine 400 INVALID_STATE", statuses)
		}
		if n := adjustments(); n != 1 {
			t.Fatalf("%d adjustment transactions, want 1", n)
		}
		if got := balanceOf(t, h, alice, "USDT-TRC20"); got != "2000" {
			t.Fatalf("alice has %s", got)
		}
		rows := auditActions(t, h, "user", strconv.FormatInt(alice.ID, 10))
		if len(rows) != 2 || rows[0].Action != "ledger.adjust" || rows[0].Actor.ID != approver.ID {
			t.Fatalf("audit: %+v", rows)
		}
		verifyLedger(t, h)
	})
}

// waitRun waits until the reconciliation runs number more than n.
func waitRun(t *testing.T, h *apptest.Harness, token string, n int) pageOut[struct {
	ID int64 `json:"id"`
}] {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		res := h.Do(http.MethodGet, "/api/v1/admin/reconciliation/runs", nil, apptest.Bearer(token)).Expect(t, 200, "")
		runs := apptest.Data[pageOut[struct {
			ID int64 `json:"id"`
		}]](t, res)
		if runs.Total > n {
			return runs
		}
		if time.Now().After(deadline) {
			t.Fatalf("no new reconciliation run: %s", res.Body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
