package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/operator"
)

type adminOrder struct {
	ID           int64   `json:"id"`
	Status       string  `json:"status"`
	TrackingNo   string  `json:"tracking_no"`
	RefundStatus string  `json:"refund_status"`
	FeeAmount    float64 `json:"fee_amount"`
}

type pendingApproval struct {
	ID     int64  `json:"id"`
	Kind   string `json:"kind"`
	Status string `json:"status"`
}

// TestOperatorMovesAndRefundsPhysicalOrders: orders only move forward,
// shipping needs a tracking number the cardholder then sees, and an order's
// fee is refunded once — by an operator's refund or by its failure, never
// both; above the threshold a refund waits for a second operator.
func TestOperatorMovesAndRefundsPhysicalOrders(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		ops := h.Operator(t, "orders@ops.example.com", operator.Compliance)
		fin := h.Operator(t, "orders-finance@ops.example.com", operator.Finance)
		fin2 := h.Operator(t, "orders-finance-2@ops.example.com", operator.Finance)
		acc, c := h.CardHolder(t, "ship@example.com")
		id := upgradedOrder(t, h, acc, c)
		path := "/api/v1/admin/physical-orders/" + itoa(id)
		move := func(body map[string]any) *apptest.Response {
			return h.Do(http.MethodPost, path+"/status", body, apptest.Bearer(ops.Token))
		}
		refund := func(token, reason string) *apptest.Response {
			return h.Do(http.MethodPost, path+"/refund", map[string]any{"reason": reason}, apptest.Bearer(token))
		}

		list := apptest.Data[adminPage[map[string]any]](t, h.Do(http.MethodGet, "/api/v1/admin/physical-orders?status=SUBMITTED&user_id="+
			itoa(acc.ID), nil, apptest.Bearer(fin.Token)).Expect(t, 200, ""))
		if list.Total != 1 {
			t.Fatalf("orders %+v", list)
		}
		for _, k := range []string{"postal_address", "recipient", "phone", "postal_sealed"} {
			if _, shown := list.Items[0][k]; shown {
				t.Errorf("the order list shows %s", k)
			}
		}

		move(map[string]any{"status": "SUBMITTED"}).Expect(t, 400, "VALIDATION_FAILED")
		move(map[string]any{"status": "SHIPPED"}).Expect(t, 400, "VALIDATION_FAILED")
		move(map[string]any{"status": "CANCELLED"}).Expect(t, 400, "INVALID_STATE")
		got := apptest.Data[adminOrder](t, move(map[string]any{"status": "PROCESSING", "remark": "In production"}).Expect(t, 200, ""))
		if got.Status != "PROCESSING" {
			t.Fatalf("after PROCESSING %+v", got)
		}
		move(map[string]any{"status": "PROCESSING"}).Expect(t, 400, "INVALID_STATE")
		got = apptest.Data[adminOrder](t, move(map[string]any{"status": "SHIPPED", "tracking_no": "SF1234567890"}).Expect(t, 200, ""))
		if got.Status != "SHIPPED" || got.TrackingNo != "SF1234567890" {
			t.Fatalf("after SHIPPED %+v", got)
		}
		progress := upgradeProgressOf(t, upgradeProgress(h, acc, c.PublicToken))
		if statuses, sources := timelineOf(progress); progress.TrackingNo != "SF1234567890" ||
			strings.Join(statuses, ",") != "INIT,EMAIL_VERIFIED,FEE_PAID,SUBMITTED,PROCESSING,SHIPPED" ||
			sources[len(sources)-1] != "admin" {
			t.Fatalf("the cardholder's view %+v", progress)
		}

		// The card was lost in the post: refunded once, by finance.
		h.Do(http.MethodPost, path+"/refund", nil, apptest.Bearer(fin.Token)).Expect(t, 400, "VALIDATION_FAILED")
		got = apptest.Data[adminOrder](t, refund(fin.Token, "lost in the post").Expect(t, 200, ""))
		if got.RefundStatus != "COMPLETED" || got.Status != "SHIPPED" || balanceOf(t, h, acc, "USDT-TRC20") != "40" {
			t.Fatalf("after refund %+v, wallet %s", got, balanceOf(t, h, acc, "USDT-TRC20"))
		}
		refund(fin.Token, "again").Expect(t, 400, "INVALID_STATE")
		// Failing it now refunds nothing more.
		move(map[string]any{"status": "FAILED"}).Expect(t, 400, "VALIDATION_FAILED")
		got = apptest.Data[adminOrder](t, move(map[string]any{"status": "FAILED", "remark": "returned to sender"}).Expect(t, 200, ""))
		if got.Status != "FAILED" || balanceOf(t, h, acc, "USDT-TRC20") != "40" {
			t.Fatalf("after FAILED %+v, wallet %s", got, balanceOf(t, h, acc, "USDT-TRC20"))
		}
		row, _ := lastAudit(t, h, "physical_order.status")
		if row.Reason != "returned to sender" || !strings.Contains(row.After, `"status":"FAILED"`) {
			t.Fatalf("status audit %+v", row)
		}

		// A second order, failed by an operator: the failure refunds (a
		// money action); with the threshold at 0 it waits for a second
		// operator first.
		id2 := upgradedOrder(t, h, acc, c)
		h.App.Office.Policy.FourEyesAboveUSDCents = 0
		path = "/api/v1/admin/physical-orders/" + itoa(id2)
		res := h.Do(http.MethodPost, path+"/status", map[string]any{"status": "FAILED", "remark": "factory rejected the card"},
			apptest.Bearer(ops.Token)).Expect(t, 202, "")
		req := apptest.Data[pendingApproval](t, res)
		if req.ID == 0 || req.Status != "pending" || req.Kind != "physical_order.fail" {
			t.Fatalf("four-eyes answer %+v", req)
		}
		if b := balanceOf(t, h, acc, "USDT-TRC20"); b != "40" {
			t.Fatalf("wallet before approval %s", b)
		}
		h.Do(http.MethodPost, "/api/v1/admin/approvals/"+itoa(req.ID)+"/approve", map[string]any{"note": "ok"},
			apptest.Bearer(fin2.Token)).Expect(t, 200, "")
		if b := balanceOf(t, h, acc, "USDT-TRC20"); b != "80" {
			t.Fatalf("wallet after approval %s, want 80", b)
		}
		row, _ = lastAudit(t, h, "physical_order.fail")
		if row.Actor.ID != fin2.ID || !strings.Contains(row.After, `"refund_status":"COMPLETED"`) {
			t.Fatalf("approved failure audit %+v", row)
		}
		h.Do(http.MethodPost, "/api/v1/admin/physical-orders/987654/refund", map[string]any{"reason": "x"},
			apptest.Bearer(fin.Token)).Expect(t, 404, "ORDER_NOT_FOUND")
		verifyLedger(t, h)
	})
}

type idItem struct {
	ID int64 `json:"id"`
}

type adminCommission struct {
	ID               int64   `json:"id"`
	Status           string  `json:"status"`
	CommissionAmount float64 `json:"commission_amount"`
	CancelReason     string  `json:"cancel_reason"`
}

// TestOperatorPaysAndCancelsCommissions: a commission earned while its
// beneficiary was frozen is paid by an operator once they are active again;
// a credited one is reversed by a cancellation, never below zero.
func TestOperatorPaysAndCancelsCommissions(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		fin := h.Operator(t, "commissions@ops.example.com", operator.Finance)
		comp := h.Operator(t, "commissions-compliance@ops.example.com", operator.Compliance)
		as := apptest.Bearer(fin.Token)
		ben := h.Register(t, "beneficiary@example.com")
		other := h.Register(t, "other@example.com")
		act := func(id int64, what, reason string) *apptest.Response {
			return h.Do(http.MethodPost, "/api/v1/admin/commissions/"+itoa(id)+"/"+what, map[string]any{"reason": reason}, as)
		}

		// Earned while frozen: pending, and not paid while still frozen.
		referee := insertReferees(t, h, ben.ID, "com-referee-", 1, 0)[0]
		h.Do(http.MethodPost, "/api/v1/admin/users/"+itoa(ben.ID)+"/freeze", map[string]any{"reason": "review"},
			apptest.Bearer(comp.Token)).Expect(t, 200, "")
		pay(t, h, cardOpening(referee, 1))
		list := apptest.Data[adminPage[idItem]](t, h.Do(http.MethodGet, "/api/v1/admin/commissions?status=pending&user_id="+
			itoa(ben.ID), nil, as).Expect(t, 200, ""))
		if list.Total != 1 {
			t.Fatalf("pending commissions %+v", list)
		}
		id := list.Items[0].ID
		act(id, "pay", "").Expect(t, 400, "VALIDATION_FAILED")
		act(id, "pay", "unfrozen").Expect(t, 400, "INVALID_STATE")
		h.Do(http.MethodPost, "/api/v1/admin/users/"+itoa(ben.ID)+"/unfreeze", nil, apptest.Bearer(comp.Token)).Expect(t, 200, "")

		got := apptest.Data[adminCommission](t, act(id, "pay", "unfrozen").Expect(t, 200, ""))
		if got.Status != "credited" || got.CommissionAmount != 1 ||
			balanceOf(t, h, ben, "USDT-TRC20") != "1" {
			t.Fatalf("after pay %+v, wallet %s", got, balanceOf(t, h, ben, "USDT-TRC20"))
		}
		act(id, "pay", "again").Expect(t, 400, "INVALID_STATE")
		mine, _ := commissionsOf(t, h, ben, "")
		if len(mine) != 1 || mine[0]["status"] != "credited" {
			t.Fatalf("the beneficiary's view %v", mine)
		}
		var notified int
		if err := h.App.DB.SQL.QueryRow(`SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND type = 'commission_credited'`,
			ben.ID).Scan(&notified); err != nil || notified != 1 {
			t.Fatalf("commission_credited notifications %d %v", notified, err)
		}

		// Cancelled: reversed out of the wallet; its history row says so.
		got = apptest.Data[adminCommission](t, act(id, "cancel", "referral fraud").Expect(t, 200, ""))
		if got.Status != "cancelled" || got.CancelReason != "referral fraud" || balanceOf(t, h, ben, "USDT-TRC20") != "0" {
			t.Fatalf("after cancel %+v, wallet %s", got, balanceOf(t, h, ben, "USDT-TRC20"))
		}
		act(id, "cancel", "again").Expect(t, 400, "INVALID_STATE")
		history := cmData(t, h.Do(http.MethodGet, "/api/v1/wallet/unified-transactions?type=commission", nil,
			apptest.Bearer(ben.Access)).Expect(t, 200, ""))["items"].([]any)
		if len(history) != 1 || history[0].(map[string]any)["status"] != "cancelled" {
			t.Fatalf("history %v", history)
		}
		row, _ := lastAudit(t, h, "commission.cancel")
		if row.Actor.ID != fin.ID || !strings.Contains(row.Before, `"status":"credited"`) || !strings.Contains(row.After, `"status":"cancelled"`) {
			t.Fatalf("cancel audit %+v", row)
		}

		// A credited commission already spent cannot be reversed.
		pay(t, h, cardOpening(referee, 2))
		list = apptest.Data[adminPage[idItem]](t, h.Do(http.MethodGet, "/api/v1/admin/commissions?status=credited&user_id="+
			itoa(ben.ID), nil, as).Expect(t, 200, ""))
		id2 := list.Items[0].ID
		h.SetTxPassword(t, ben)
		h.Do(http.MethodPost, "/api/v1/wallet/transfer-by-uid", map[string]any{"recipient_uid": other.ID, "currency": "USDT-TRC20",
			"amount": "1", "transaction_password": apptest.TxPassword}, apptest.Bearer(ben.Access)).Expect(t, 200, "")
		act(id2, "cancel", "fraud").Expect(t, 400, "INSUFFICIENT_BALANCE")
		h.Do(http.MethodGet, "/api/v1/admin/commissions?level=3", nil, as).Expect(t, 400, "VALIDATION_FAILED")
		act(987654, "pay", "x").Expect(t, 404, "NOT_FOUND")
		verifyLedger(t, h)
	})
}

type tierTable struct {
	Items []struct {
		TierLevel   int     `json:"tier_level"`
		TierName    string  `json:"tier_name"`
		Description string  `json:"description"`
		Min         int64   `json:"min_referral_count"`
		Max         int64   `json:"max_referral_count"`
		L1Card      float64 `json:"level1_card_opening_rate"`
	} `json:"items"`
}

// TestOperatorChangesTheTierTable: one tier at a time while the ranges
// hold, several at once when a boundary moves, a deleted tier's range goes
// to its neighbour; a table that breaks API.md §3.5 is refused whole.
func TestOperatorChangesTheTierTable(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		fin := h.Operator(t, "tiers@ops.example.com", operator.Finance)
		as := apptest.Bearer(fin.Token)
		table := func(res *apptest.Response) tierTable { return apptest.Data[tierTable](t, res.Expect(t, 200, "")) }

		if tt := table(h.Do(http.MethodGet, "/api/v1/admin/tier-configs", nil, as)); len(tt.Items) != 4 || tt.Items[3].Max != 0 {
			t.Fatalf("default table %+v", tt)
		}
		tt := table(h.Do(http.MethodPut, "/api/v1/admin/tier-configs/2", tierBody(0, "V2", 11, 30, "0.3", "0.15", "0.1", "0.05", ""), as))
		if tt.Items[1].L1Card != 0.3 || tt.Items[1].Description != "11–30 qualified referrals" {
			t.Fatalf("after PUT %+v", tt)
		}
		public := cmData(t, h.Do(http.MethodGet, "/api/v1/tier-configs", nil).Expect(t, 200, ""))["configs"].([]any)
		if !cmEq(public[1].(map[string]any)["level1_card_opening_rate"], "0.3") {
			t.Fatalf("public table %v", public[1])
		}
		for _, bad := range []map[string]any{
			tierBody(0, "V2", 11, 40, "0.3", "0.15", "0.1", "0.05", ""),      // overlaps V3
			tierBody(0, "V2", 11, 30, "0.8", "0.15", "0.3", "0.05", ""),      // L1 + L2 above 1
			tierBody(0, "V2", 11, 30, "-0.1", "0.15", "0.1", "0.05", ""),     // negative
			tierBody(0, "", 11, 30, "0.3", "0.15", "0.1", "0.05", ""),        // no name
			tierBody(3, "V2", 11, 30, "0.3", "0.15", "0.1", "0.05", ""),      // another level than the path's
			tierBody(0, "V2", 11, 30, "0.3", "0.15", "0.123456789", "0", ""), // too precise
		} {
			h.Do(http.MethodPut, "/api/v1/admin/tier-configs/2", bad, as).Expect(t, 400, "VALIDATION_FAILED")
		}
		h.Do(http.MethodPut, "/api/v1/admin/tier-configs/9", tierBody(0, "V9", 11, 30, "0.3", "0.15", "0.1", "0.05", ""), as).
			Expect(t, 404, "NOT_FOUND")

		// A new top tier: V4 gets an upper bound in the same change.
		tt = table(h.Do(http.MethodPost, "/api/v1/admin/tier-configs", map[string]any{"tiers": []any{
			tierBody(4, "V4", 101, 200, "0.35", "0.25", "0.15", "0.1", ""), tierBody(5, "V5", 201, 0, "0.4", "0.25", "0.15", "0.1", "")}}, as))
		if len(tt.Items) != 5 || tt.Items[3].Description != "101–200 qualified referrals" || tt.Items[4].Description != "201+ qualified referrals" {
			t.Fatalf("after POST %+v", tt)
		}
		h.Do(http.MethodPost, "/api/v1/admin/tier-configs", map[string]any{"tiers": []any{
			tierBody(6, "V6", 150, 0, "0.4", "0.25", "0.15", "0.1", "")}}, as).Expect(t, 400, "VALIDATION_FAILED")
		h.Do(http.MethodPost, "/api/v1/admin/tier-configs", map[string]any{}, as).Expect(t, 400, "VALIDATION_FAILED")

		tt = table(h.Do(http.MethodDelete, "/api/v1/admin/tier-configs/5", nil, as))
		if len(tt.Items) != 4 || tt.Items[3].Max != 0 || tt.Items[3].Description != "101+ qualified referrals" {
			t.Fatalf("after DELETE 5 %+v", tt)
		}
		tt = table(h.Do(http.MethodDelete, "/api/v1/admin/tier-configs/1", nil, as))
		if len(tt.Items) != 3 || tt.Items[0].TierName != "V2" || tt.Items[0].Min != 0 || tt.Items[0].Description != "0–30 qualified referrals" {
			t.Fatalf("after DELETE 1 %+v", tt)
		}
		h.Do(http.MethodDelete, "/api/v1/admin/tier-configs/1", nil, as).Expect(t, 404, "NOT_FOUND")
		row, n := lastAudit(t, h, "tier_config.")
		if n != 4 || row.Action != "tier_config.delete" || row.TargetID != "1" || !strings.Contains(row.Before, `"tier_name":"V1"`) ||
			strings.Contains(row.After, `"tier_name":"V1"`) {
			t.Fatalf("tier audit (%d rows) %+v", n, row)
		}
	})
}

// TestParallelOperatorMoneyActionsActOnce: operators (or one operator's
// retries) paying the same pending commission and refunding the same order
// at once move the money once; the others find the record no longer in the
// state the action needs.
func TestParallelOperatorMoneyActionsActOnce(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		fin := h.Operator(t, "parallel@ops.example.com", operator.Finance)
		ben := h.Register(t, "parallel-ben@example.com")
		commission := earnCommission(t, h, ben, "parallel-referee-", true)
		acc, c := h.CardHolder(t, "parallel-order@example.com")
		order := upgradedOrder(t, h, acc, c)
		for _, path := range []string{"/api/v1/admin/commissions/" + itoa(commission) + "/pay",
			"/api/v1/admin/physical-orders/" + itoa(order) + "/refund"} {
			var (
				wg    sync.WaitGroup
				mu    sync.Mutex
				codes = map[string]int{}
			)
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					res := h.Do(http.MethodPost, path, map[string]any{"reason": "parallel"}, apptest.Bearer(fin.Token))
					mu.Lock()
					codes[fmt.Sprintf("%d %s", res.Status, res.Code())]++
					mu.Unlock()
				}()
			}
			wg.Wait()
			if codes["200 "] != 1 || codes["400 INVALID_STATE"] != 7 {
				t.Fatalf("%s: answers %v, want one success", path, codes)
			}
		}
		if b, b2 := balanceOf(t, h, ben, "USDT-TRC20"), balanceOf(t, h, acc, "USDT-TRC20"); b != "1" || b2 != "40" {
			t.Fatalf("paid %s, refunded %s; want 1 and 40", b, b2)
		}
		verifyLedger(t, h)
	})
}
