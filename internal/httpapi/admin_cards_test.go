package httpapi_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/operator"
)

// adminCard is the data of an admin card answer (the fields tests read).
type adminCard struct {
	ID              int64   `json:"id"`
	UserID          int64   `json:"user_id"`
	CardNo          string  `json:"card_no"`
	Status          string  `json:"status"`
	LockedByAdmin   bool    `json:"locked_by_admin"`
	StatusUpdatedBy string  `json:"status_updated_by"`
	Balance         float64 `json:"balance"`
}

type adminPage[T any] struct {
	Items []T `json:"items"`
	Total int `json:"total"`
}

func issuerStatusOf(t *testing.T, h *apptest.Harness, token string) string {
	t.Helper()
	var st string
	if err := h.App.DB.SQL.QueryRow(`SELECT status FROM sim_issuer_cards WHERE public_token = $1`, token).Scan(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

// lastAudit returns the newest audit row of action.
func lastAudit(t *testing.T, h *apptest.Harness, action string) (audit.Row, int) {
	t.Helper()
	rows, n, err := h.App.Audit.List(context.Background(), audit.Filter{Action: action}, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		return audit.Row{}, 0
	}
	return rows[0], n
}

// TestOperatorLocksUnlocksAndCancelsCards: an operator's lock freezes the
// card at the issuer and holds against the cardholder; unlocking restores
// what the lock changed (and only that); cancelling empties the card into
// the wallet exactly once; every call is audited without the card number.
func TestOperatorLocksUnlocksAndCancelsCards(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		comp := h.Operator(t, "cards-compliance@ops.example.com", operator.Compliance)
		support := h.Operator(t, "cards-support@ops.example.com", operator.Support)
		acc, c := toppedHolder(t, h, "locked@example.com")
		path := "/api/v1/admin/cards/" + itoa(c.ID)
		as := apptest.Bearer(comp.Token)
		userStatus := func(code string) *apptest.Response {
			return h.Do(http.MethodPut, "/api/v1/card/status", map[string]any{"public_token": c.PublicToken, "card_status_code": code},
				apptest.Bearer(acc.Access))
		}

		list := apptest.Data[adminPage[adminCard]](t, h.Do(http.MethodGet, "/api/v1/admin/cards?user_id="+itoa(acc.ID)+"&status=normal", nil,
			apptest.Bearer(support.Token)).Expect(t, 200, ""))
		if list.Total != 1 || list.Items[0].ID != c.ID || !regexp.MustCompile(`^424242\*{6}[0-9]{4}$`).MatchString(list.Items[0].CardNo) ||
			list.Items[0].Balance != 381.42 {
			t.Fatalf("card list %+v", list)
		}
		h.Do(http.MethodGet, "/api/v1/admin/cards?status=active", nil, as).Expect(t, 400, "VALIDATION_FAILED")
		h.Do(http.MethodPost, path+"/lock", map[string]any{}, as).Expect(t, 400, "VALIDATION_FAILED")

		// The issuer refuses: nothing changes, nothing is audited.
		before := auditCount(t, h)
		h.Do(http.MethodPost, "/api/v1/sandbox/issuer/failures", map[string]any{"operation": "set_status"}).Expect(t, 200, "")
		h.Do(http.MethodPost, path+"/lock", map[string]any{"reason": "fraud report"}, as).Expect(t, 502, "ISSUER_UNAVAILABLE")
		if auditCount(t, h) != before || issuerStatusOf(t, h, c.PublicToken) != "active" {
			t.Fatal("a refused lock changed something")
		}

		got := apptest.Data[adminCard](t, h.Do(http.MethodPost, path+"/lock", map[string]any{"reason": "fraud report"}, as).Expect(t, 200, ""))
		if got.Status != "frozen" || !got.LockedByAdmin || issuerStatusOf(t, h, c.PublicToken) != "frozen" {
			t.Fatalf("after lock %+v, issuer %s", got, issuerStatusOf(t, h, c.PublicToken))
		}
		row, _ := lastAudit(t, h, "card.lock")
		if row.Actor.ID != comp.ID || row.Reason != "fraud report" || !strings.Contains(row.Before, `"status":"normal"`) ||
			!strings.Contains(row.After, `"locked_by_admin":true`) || strings.Contains(row.Before+row.After, "424242") {
			t.Fatalf("lock audit %+v", row)
		}
		userStatus("00").Expect(t, 403, "CARD_LOCKED_BY_ADMIN")
		userStatus("99").Expect(t, 403, "CARD_LOCKED_BY_ADMIN")
		userStatus("G1").Expect(t, 200, "")

		got = apptest.Data[adminCard](t, h.Do(http.MethodPost, path+"/unlock", nil, as).Expect(t, 200, ""))
		if got.Status != "normal" || got.LockedByAdmin || issuerStatusOf(t, h, c.PublicToken) != "active" {
			t.Fatalf("after unlock %+v", got)
		}
		// A card its holder froze keeps their freeze when the lock goes.
		userStatus("G1").Expect(t, 200, "")
		got = apptest.Data[adminCard](t, h.Do(http.MethodPost, path+"/lock", map[string]any{"reason": "again"}, as).Expect(t, 200, ""))
		if got.Status != "frozen" || !got.LockedByAdmin || got.StatusUpdatedBy != "user" {
			t.Fatalf("lock of a frozen card %+v", got)
		}
		got = apptest.Data[adminCard](t, h.Do(http.MethodPost, path+"/unlock", map[string]any{"reason": "cleared"}, as).Expect(t, 200, ""))
		if got.Status != "frozen" || got.LockedByAdmin || issuerStatusOf(t, h, c.PublicToken) != "frozen" {
			t.Fatalf("unlock of a card its holder froze %+v", got)
		}
		userStatus("00").Expect(t, 200, "")

		// Cancel: the balance comes back to the wallet, once.
		h.Do(http.MethodPost, path+"/cancel", map[string]any{"reason": " "}, as).Expect(t, 400, "VALIDATION_FAILED")
		got = apptest.Data[adminCard](t, h.Do(http.MethodPost, path+"/cancel", map[string]any{"reason": "stolen"}, as).Expect(t, 200, ""))
		if got.Status != "cancelled" || got.Balance != 0 || issuerStatusOf(t, h, c.PublicToken) != "closed" {
			t.Fatalf("after cancel %+v", got)
		}
		if b := balanceOf(t, h, acc, "USDT-TRC20"); b != "98.9" {
			t.Fatalf("wallet after cancel %s, want 98.9 (50 left + 381.42 HKD at 7.80)", b)
		}
		before = auditCount(t, h)
		h.Do(http.MethodPost, path+"/cancel", map[string]any{"reason": "stolen"}, as).Expect(t, 200, "")
		if b := balanceOf(t, h, acc, "USDT-TRC20"); b != "98.9" || auditCount(t, h) != before+1 {
			t.Fatalf("a repeated cancel: wallet %s, audit rows %d", b, auditCount(t, h)-before)
		}
		h.Do(http.MethodPost, path+"/lock", map[string]any{"reason": "x"}, as).Expect(t, 400, "CARD_CANCELLED")
		h.Do(http.MethodPost, "/api/v1/admin/cards/987654/lock", map[string]any{"reason": "x"}, as).Expect(t, 404, "CARD_NOT_FOUND")
		h.Do(http.MethodPost, "/api/v1/admin/cards/abc/unlock", nil, as).Expect(t, 404, "CARD_NOT_FOUND")
		verifyLedger(t, h)
	})
}

type adminTask struct {
	ID           int64  `json:"id"`
	Status       string `json:"status"`
	FeePaymentID int64  `json:"fee_payment_id"`
	Retries      int    `json:"retries"`
}

func consumer(t *testing.T, h *apptest.Harness, paymentID int64) int64 {
	t.Helper()
	var task *int64
	if err := h.App.DB.SQL.QueryRow(`SELECT consumed_by_task_id FROM card_fee_payments WHERE id = $1`, paymentID).Scan(&task); err != nil {
		t.Fatal(err)
	}
	if task == nil {
		return 0
	}
	return *task
}

// TestOperatorRetriesFailedCardTasks: a failed application goes back to
// the issuer under a new application's rules and consumes its own released
// fee payment again, or another unused one, never a payment twice.
func TestOperatorRetriesFailedCardTasks(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		op := h.Operator(t, "tasks@ops.example.com", operator.Compliance)
		as := apptest.Bearer(op.Token)
		acc, _ := h.CardHolder(t, "retry@example.com")
		id := failedTask(t, h, acc)
		retry := func(id int64) *apptest.Response {
			return h.Do(http.MethodPost, "/api/v1/admin/card-tasks/"+itoa(id)+"/retry", map[string]any{"reason": "issuer fixed"}, as)
		}

		list := apptest.Data[adminPage[adminTask]](t, h.Do(http.MethodGet, "/api/v1/admin/card-tasks?status=failed&user_id="+itoa(acc.ID),
			nil, as).Expect(t, 200, ""))
		if list.Total != 1 || list.Items[0].ID != id {
			t.Fatalf("failed tasks %+v", list)
		}
		payment := list.Items[0].FeePaymentID

		setStatus(t, h, acc.ID, "frozen")
		retry(id).Expect(t, 403, "ACCOUNT_FROZEN")
		setStatus(t, h, acc.ID, "active")

		got := apptest.Data[adminTask](t, retry(id).Expect(t, 200, ""))
		if got.Status != "pending" || got.Retries != 1 || got.FeePaymentID != payment {
			t.Fatalf("after retry %+v", got)
		}
		if st := waitTask(t, h, acc, id).Status; st != "completed" || consumer(t, h, payment) != id {
			t.Fatalf("retried task %s, payment consumed by %d", st, consumer(t, h, payment))
		}
		row, _ := lastAudit(t, h, "card_task.retry")
		if !strings.Contains(row.Before, `"status":"failed"`) || !strings.Contains(row.After, `"status":"pending"`) {
			t.Fatalf("retry audit %+v", row)
		}
		retry(id).Expect(t, 400, "INVALID_STATE")

		// The released payment went to a new application meanwhile: the
		// retry needs another payment.
		id2 := failedTask(t, h, acc)
		res := h.Do(http.MethodPost, "/api/v1/card/apply", map[string]any{"physical": false}, apptest.Bearer(acc.Access)).Expect(t, 200, "")
		waitTask(t, h, acc, apptest.Data[apptest.CardApplied](t, res).TaskID)
		retry(id2).Expect(t, 402, "CARD_FEE_UNPAID")
		payCardFee(t, h, acc)
		got = apptest.Data[adminTask](t, retry(id2).Expect(t, 200, ""))
		if st := waitTask(t, h, acc, id2).Status; st != "completed" || got.FeePaymentID == 0 || consumer(t, h, got.FeePaymentID) != id2 {
			t.Fatalf("second retry %+v %s", got, st)
		}
		h.Do(http.MethodPost, "/api/v1/admin/card-tasks/987654/retry", nil, as).Expect(t, 404, "TASK_NOT_FOUND")
		h.Do(http.MethodGet, "/api/v1/admin/card-tasks?status=done", nil, as).Expect(t, 400, "VALIDATION_FAILED")
	})
}
