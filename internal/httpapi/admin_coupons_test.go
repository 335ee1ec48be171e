package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/operator"
)

type adminCoupon struct {
	ID            int64   `json:"id"`
	Code          string  `json:"code"`
	Name          string  `json:"name"`
	Type          string  `json:"type"`
	Value         float64 `json:"value"`
	MaxDiscount   float64 `json:"max_discount"`
	Status        string  `json:"status"`
	AssignedCount int     `json:"assigned_count"`
	AssignRuns    []struct {
		ID         int64  `json:"id"`
		Status     string `json:"status"`
		Audience   int    `json:"audience"`
		Assigned   int    `json:"assigned"`
		Skipped    int    `json:"skipped"`
		StopReason string `json:"stop_reason"`
	} `json:"assign_runs"`
}

type assignAnswer struct {
	AssignedCount int     `json:"assigned_count"`
	Assigned      []int64 `json:"assigned_user_ids"`
	Skipped       []int64 `json:"skipped_user_ids"`
}

// userCoupons counts the coupons a user holds by code.
func userCoupons(t *testing.T, h *apptest.Harness, acc apptest.Account) map[string]int {
	t.Helper()
	list := apptest.Decode[struct {
		Coupons []struct {
			Code string `json:"code"`
		} `json:"coupons"`
	}](t, h.Do(http.MethodGet, "/api/v1/coupons", nil, apptest.Bearer(acc.Access)).Expect(t, 200, ""))
	out := map[string]int{}
	for _, c := range list.Coupons {
		out[c.Code]++
	}
	return out
}

// TestOperatorManagesCoupons: finance defines, edits, assigns and
// deactivates coupons; an assignment to listed users is all-or-nothing and
// idempotent per (coupon, user); other roles read or are refused.
func TestOperatorManagesCoupons(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		fin := apptest.Bearer(h.Operator(t, "finance@ops.example.com", operator.Finance).Token)
		content := apptest.Bearer(h.Operator(t, "content@ops.example.com", operator.Content).Token)
		alice, bob := h.Register(t, "alice@example.com"), h.Register(t, "bob@example.com")

		def := map[string]any{"code": "spring25", "name": "Spring", "type": "percentage", "value": "12.5", "max_discount": 2}
		h.Do(http.MethodPost, "/api/v1/admin/coupons", def, content).Expect(t, 403, "FORBIDDEN")
		h.Do(http.MethodPost, "/api/v1/admin/coupons", map[string]any{"code": "X", "name": "X", "type": "percentage", "value": 101}, fin).
			Expect(t, 400, "VALIDATION_FAILED")
		c := apptest.Data[adminCoupon](t, h.Do(http.MethodPost, "/api/v1/admin/coupons", def, fin).Expect(t, 201, ""))
		if c.Code != "SPRING25" || c.Value != 12.5 || c.MaxDiscount != 2 || c.Status != "active" {
			t.Fatalf("created %+v", c)
		}
		h.Do(http.MethodPost, "/api/v1/admin/coupons", def, fin).Expect(t, 400, "VALIDATION_FAILED") // the code is taken
		path := "/api/v1/admin/coupons/" + strconv.FormatInt(c.ID, 10)

		h.Do(http.MethodPut, path, map[string]any{"type": "fixed"}, fin).Expect(t, 400, "VALIDATION_FAILED")
		edited := apptest.Data[adminCoupon](t, h.Do(http.MethodPut, path, map[string]any{"name": "Spring sale", "value": 20}, fin).Expect(t, 200, ""))
		if edited.Name != "Spring sale" || edited.Value != 20 || edited.Code != "SPRING25" {
			t.Fatalf("edited %+v", edited)
		}
		if list := apptest.Data[struct {
			Total int `json:"total"`
		}](t, h.Do(http.MethodGet, "/api/v1/admin/coupons?status=active", nil, content).Expect(t, 200, "")); list.Total != 1 {
			t.Fatalf("content reads %d coupons", list.Total)
		}

		// Listed users: an unknown one refuses the whole list.
		h.Do(http.MethodPost, path+"/assign", map[string]any{"user_ids": []any{alice.ID, 987654}}, fin).Expect(t, 404, "USER_NOT_FOUND")
		if n := userCoupons(t, h, alice)["SPRING25"]; n != 0 {
			t.Fatalf("a refused assignment gave alice %d", n)
		}
		h.Do(http.MethodPost, path+"/assign", map[string]any{}, fin).Expect(t, 400, "VALIDATION_FAILED")
		h.Do(http.MethodPost, path+"/assign", map[string]any{"user_ids": []any{alice.ID}, "all_users": true}, fin).Expect(t, 400, "VALIDATION_FAILED")
		first := apptest.Data[assignAnswer](t, h.Do(http.MethodPost, path+"/assign", map[string]any{"user_ids": []any{alice.ID, alice.ID}}, fin).Expect(t, 200, ""))
		if len(first.Assigned) != 1 || first.AssignedCount != 1 {
			t.Fatalf("first assignment %+v", first)
		}
		// Retried with bob added: alice is skipped, bob gets it.
		again := apptest.Data[assignAnswer](t, h.Do(http.MethodPost, path+"/assign", map[string]any{"user_ids": []any{alice.ID, bob.ID}}, fin).Expect(t, 200, ""))
		if len(again.Assigned) != 1 || again.Assigned[0] != bob.ID || len(again.Skipped) != 1 || again.Skipped[0] != alice.ID || again.AssignedCount != 2 {
			t.Fatalf("second assignment %+v", again)
		}
		if got := userCoupons(t, h, alice)["SPRING25"]; got != 1 {
			t.Fatalf("alice holds %d", got)
		}
		notes := apptest.Decode[struct {
			Notifications []struct {
				Type string `json:"type"`
				Data string `json:"data"`
			} `json:"notifications"`
		}](t, h.Do(http.MethodGet, "/api/v1/notifications", nil, apptest.Bearer(bob.Access)).Expect(t, 200, ""))
		if len(notes.Notifications) == 0 || notes.Notifications[0].Type != "coupon_assigned" {
			t.Fatalf("bob's notifications %+v", notes)
		}

		// Deactivated: no longer usable, assignable or claimable.
		deleted := apptest.Data[adminCoupon](t, h.Do(http.MethodDelete, path, nil, fin).Expect(t, 200, ""))
		if deleted.Status != "inactive" {
			t.Fatalf("deleted %+v", deleted)
		}
		h.Do(http.MethodPost, path+"/assign", map[string]any{"user_ids": []any{bob.ID}}, fin).Expect(t, 400, "INVALID_STATE")
		h.Do(http.MethodPost, path+"/assign", map[string]any{"all_users": true}, fin).Expect(t, 400, "INVALID_STATE")
		if check := apptest.Decode[struct {
			Eligible bool `json:"eligible"`
		}](t, h.Do(http.MethodPost, "/api/v1/coupons/check-eligibility", map[string]any{"coupon_code": "SPRING25", "transaction_amount": 5},
			apptest.Bearer(alice.Access)).Expect(t, 200, "")); check.Eligible {
			t.Fatal("a deactivated coupon is still eligible")
		}
		h.Do(http.MethodDelete, "/api/v1/admin/coupons/987654", nil, fin).Expect(t, 404, "COUPON_NOT_FOUND")

		want := []string{"coupon.create", "coupon.update", "coupon.assign", "coupon.assign", "coupon.delete"}
		if got := contentAuditActions(t, h, "coupon", strconv.FormatInt(c.ID, 10)); !sameList(got, want) {
			t.Errorf("audit %v, want %v", got, want)
		}
	})
}

// TestCouponToEveryoneRunsAsAJob: "all users" answers at once with a run;
// the job gives the coupon once to every user not closed, skipping holders,
// and stops when the coupon runs out.
func TestCouponToEveryoneRunsAsAJob(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		fin := apptest.Bearer(h.Operator(t, "finance@ops.example.com", operator.Finance).Token)
		var users []apptest.Account
		for i := range 5 {
			users = append(users, h.Register(t, fmt.Sprintf("everyone%d@example.com", i)))
		}
		detail := func(path string) adminCoupon {
			return apptest.Data[adminCoupon](t, h.Do(http.MethodGet, path, nil, fin).Expect(t, 200, ""))
		}
		c := apptest.Data[adminCoupon](t, h.Do(http.MethodPost, "/api/v1/admin/coupons",
			map[string]any{"code": "ALL1", "name": "Everyone", "type": "fixed", "value": 1}, fin).Expect(t, 201, ""))
		path := "/api/v1/admin/coupons/" + strconv.FormatInt(c.ID, 10)
		h.Do(http.MethodPost, path+"/assign", map[string]any{"user_ids": []any{users[0].ID}}, fin).Expect(t, 200, "")

		run := apptest.Data[struct {
			Run struct {
				ID       int64  `json:"id"`
				Status   string `json:"status"`
				Audience int    `json:"audience"`
			} `json:"run"`
		}](t, h.Do(http.MethodPost, path+"/assign", map[string]any{"all_users": true}, fin).Expect(t, 202, "")).Run
		if run.Audience != 5 {
			t.Fatalf("run %+v", run)
		}
		eventually(t, "the run to complete", func() bool {
			d := detail(path)
			return len(d.AssignRuns) == 1 && d.AssignRuns[0].Status == "completed"
		})
		if d := detail(path); d.AssignRuns[0].Assigned != 4 || d.AssignRuns[0].Skipped != 1 || d.AssignedCount != 5 {
			t.Fatalf("after the run %+v", d)
		}
		for _, u := range users {
			if got := userCoupons(t, h, u)["ALL1"]; got != 1 {
				t.Errorf("user %d holds %d", u.ID, got)
			}
		}

		// A coupon for two: the run stops when it runs out.
		two := apptest.Data[adminCoupon](t, h.Do(http.MethodPost, "/api/v1/admin/coupons",
			map[string]any{"code": "TWO", "name": "Two only", "type": "fixed", "value": 1, "usage_limit": 2}, fin).Expect(t, 201, ""))
		twoPath := "/api/v1/admin/coupons/" + strconv.FormatInt(two.ID, 10)
		h.Do(http.MethodPost, twoPath+"/assign", map[string]any{"all_users": true}, fin).Expect(t, 202, "")
		eventually(t, "the limited run to stop", func() bool {
			d := detail(twoPath)
			return len(d.AssignRuns) == 1 && d.AssignRuns[0].Status == "stopped"
		})
		if d := detail(twoPath); d.AssignRuns[0].Assigned != 2 || d.AssignedCount != 2 || d.AssignRuns[0].StopReason == "" {
			t.Fatalf("limited run %+v", d)
		}
		rows, _, err := h.App.Audit.List(context.Background(), audit.Filter{Action: "coupon.assign_all"}, 10, 0)
		if err != nil || len(rows) != 2 {
			t.Fatalf("assign_all audit rows %d %v", len(rows), err)
		}
	})
}
