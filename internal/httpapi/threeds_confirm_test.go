package httpapi_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
)

// TestThreeDSConfirm runs the confirmation rules of API.md §2.7 in order on
// one cardholder (the cases share a clock, so they run in sequence).
func TestThreeDSConfirm(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc, c := h.CardHolder(t, "tds-confirm@example.com")
		stranger, _ := h.CardHolder(t, "tds-stranger@example.com")
		bio := func(extra map[string]any) string {
			body := map[string]any{"auth_method": "BIO", "amount": 42, "currency": "HKD"}
			for k, v := range extra {
				body[k] = v
			}
			return raise3DS(t, h, c.PublicToken, body).NotificationID
		}
		idem := func(k string) apptest.Header { return apptest.Header{Name: "Idempotency-Key", Value: k} }
		cases := []struct {
			name string
			run  func(t *testing.T)
		}{
			{"approve", func(t *testing.T) {
				nid := bio(nil)
				res := confirm3DS(h, acc, nid, "SUCCESS").Expect(t, 200, "")
				b := apptest.Decode[confirmed3DS](t, res)
				rec := b.Record
				if b.Message != "3DS challenge confirmed" || rec.ChallengeStatus != "SUCCESS" ||
					rec.ConfirmationStatus != "SUCCESS" || rec.ConfirmedAt == nil || rec.Amount != "42.00" ||
					rec.DelegateMethod != "push-confirmation" || rec.DSTransactionID == "" {
					t.Fatalf("approve %s", res.Body)
				}
				if approve, ok, err := h.App.IssuerSim.Decision(context.Background(), nid); err != nil || !ok || !approve {
					t.Fatalf("issuer decision %v %v %v", approve, ok, err)
				}
				// Same status again: a replay; the other status: a conflict.
				if again := confirm3DS(h, acc, nid, "SUCCESS").Expect(t, 200, ""); confirmedRecord(t, again).ChallengeStatus != "SUCCESS" {
					t.Fatalf("replay %s", again.Body)
				}
				confirm3DS(h, acc, nid, "FAILURE").Expect(t, 400, "CHALLENGE_ALREADY_CONFIRMED")
			}},
			{"reject", func(t *testing.T) {
				nid := bio(nil)
				rec := confirmedRecord(t, confirm3DS(h, acc, nid, "FAILURE").Expect(t, 200, ""))
				if rec.ChallengeStatus != "FAILURE" || rec.ConfirmationStatus != "FAILURE" {
					t.Fatalf("reject %+v", rec)
				}
				if approve, ok, _ := h.App.IssuerSim.Decision(context.Background(), nid); !ok || approve {
					t.Fatal("the issuer did not get the rejection")
				}
				confirm3DS(h, acc, nid, "SUCCESS").Expect(t, 400, "CHALLENGE_ALREADY_CONFIRMED")
			}},
			{"idempotency key replays byte for byte", func(t *testing.T) {
				nid := bio(nil)
				first := confirm3DS(h, acc, nid, "SUCCESS", idem("tds-key-0001")).Expect(t, 200, "")
				second := confirm3DS(h, acc, nid, "SUCCESS", idem("tds-key-0001")).Expect(t, 200, "")
				if string(first.Body) != string(second.Body) || second.Header.Get("Idempotent-Replayed") != "true" {
					t.Fatalf("replay %s vs %s", first.Body, second.Body)
				}
				confirm3DS(h, acc, nid, "FAILURE", idem("tds-key-0001")).Expect(t, 409, "IDEMPOTENCY_CONFLICT")
				// One key cannot answer another challenge.
				confirm3DS(h, acc, bio(nil), "SUCCESS", idem("tds-key-0001")).Expect(t, 409, "IDEMPOTENCY_CONFLICT")
			}},
			{"bad input changes nothing", func(t *testing.T) {
				nid := bio(nil)
				for _, body := range []any{map[string]string{"status": "MAYBE"}, map[string]any{"status": true}, map[string]string{}, `{"status":`} {
					h.Do(http.MethodPut, "/api/v1/3ds/messages/"+nid+"/confirm", body, apptest.Bearer(acc.Access)).Expect(t, 400, "VALIDATION_FAILED")
				}
				confirm3DS(h, acc, nid, "SUCCESS", idem("bad")).Expect(t, 400, "VALIDATION_FAILED")
				h.Do(http.MethodPut, "/api/v1/3ds/messages/"+nid+"/confirm", map[string]string{"status": "SUCCESS"}).Expect(t, 401, "UNAUTHORIZED")
				if rec := recordOf(t, h, acc, nid); rec.ChallengeStatus != "UNCONFIRMED" || rec.ConfirmationStatus != "" {
					t.Fatalf("record changed %+v", rec)
				}
			}},
			{"not mine", func(t *testing.T) {
				nid := bio(nil)
				confirm3DS(h, stranger, nid, "SUCCESS").Expect(t, 404, "CHALLENGE_NOT_FOUND")
				confirm3DS(h, acc, "00000000-0000-0000-0000-000000000000", "SUCCESS").Expect(t, 404, "CHALLENGE_NOT_FOUND")
				if rec := recordOf(t, h, acc, nid); rec.ChallengeStatus != "UNCONFIRMED" {
					t.Fatalf("a stranger changed the record %+v", rec)
				}
			}},
			{"OTP is not confirmable", func(t *testing.T) {
				nid := raise3DS(t, h, c.PublicToken, map[string]any{"auth_method": "OTP"}).NotificationID
				confirm3DS(h, acc, nid, "SUCCESS").Expect(t, 400, "CHALLENGE_NOT_CONFIRMABLE")
			}},
			{"issuer failure", func(t *testing.T) {
				nid := bio(nil)
				h.Do(http.MethodPost, "/api/v1/sandbox/issuer/failures", map[string]any{"operation": "confirm_3ds"}).Expect(t, 200, "")
				confirm3DS(h, acc, nid, "SUCCESS", idem("tds-fail-01")).Expect(t, 502, "ISSUER_UNAVAILABLE")
				if rec := recordOf(t, h, acc, nid); rec.ChallengeStatus != "CONFIRM_FAILED" || rec.ConfirmationStatus != "SUCCESS" {
					t.Fatalf("after the issuer failure %+v", rec)
				}
				if _, ok, _ := h.App.IssuerSim.Decision(context.Background(), nid); ok {
					t.Fatal("the issuer recorded a decision it failed")
				}
				// The stored 502 is replayed for the key; a new attempt forwards again.
				confirm3DS(h, acc, nid, "SUCCESS", idem("tds-fail-01")).Expect(t, 502, "ISSUER_UNAVAILABLE")
				confirm3DS(h, acc, nid, "FAILURE").Expect(t, 400, "CHALLENGE_ALREADY_CONFIRMED")
				if rec := confirmedRecord(t, confirm3DS(h, acc, nid, "SUCCESS").Expect(t, 200, "")); rec.ChallengeStatus != "SUCCESS" {
					t.Fatalf("retry %+v", rec)
				}
			}},
			{"expired", func(t *testing.T) {
				nid := bio(map[string]any{"expires_after": 60})
				live := bio(map[string]any{"expires_after": 600})
				h.Clock.Advance(61 * time.Second)
				confirm3DS(h, acc, nid, "SUCCESS").Expect(t, 400, "CHALLENGE_EXPIRED")
				if rec := recordOf(t, h, acc, nid); rec.ChallengeStatus != "EXPIRED" || rec.ConfirmationStatus != "" {
					t.Fatalf("expired record %+v", rec)
				}
				confirm3DS(h, acc, nid, "FAILURE").Expect(t, 400, "CHALLENGE_EXPIRED")
				if _, ok, _ := h.App.IssuerSim.Decision(context.Background(), nid); ok {
					t.Fatal("an expired decision reached the issuer")
				}
				confirm3DS(h, acc, live, "SUCCESS").Expect(t, 200, "")
			}},
		}
		for _, tc := range cases {
			t.Run(tc.name, tc.run)
		}
	})
}

func TestThreeDSPlan(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc, c := h.CardHolder(t, "tds-plan@example.com")
		_, otherCard := h.CardHolder(t, "tds-plan-other@example.com")
		auth := apptest.Bearer(acc.Access)
		put := func(body any) *apptest.Response { return h.Do(http.MethodPut, "/api/v1/card/3ds", body, auth) }
		plans := func() (local, issuer string) {
			d := h.Do(http.MethodGet, "/api/v1/card/account-details?public_token="+c.PublicToken, nil, auth).Expect(t, 200, "")
			local = apptest.Data[cardDetailsData](t, d).ThreeDSAuthPlan
			plan, err := h.App.IssuerSim.Plan(context.Background(), c.PublicToken)
			if err != nil {
				t.Fatal(err)
			}
			return local, string(plan)
		}
		if l, i := plans(); l != "OTP" || i != "OTP" {
			t.Fatalf("default plan %s/%s", l, i)
		}
		res := put(map[string]string{"plan": "BIO", "public_token": c.PublicToken}).Expect(t, 200, "")
		b := apptest.Decode[apptest.EnvelopeB[struct {
			PublicToken string `json:"public_token"`
			RequestID   string `json:"request_id"`
			Plan        string `json:"three_ds_auth_plan"`
		}]](t, res)
		if d := b.Data; b.Message != "Card 3DS authentication plan updated successfully" || d.Plan != "BIO" ||
			d.PublicToken != c.PublicToken || d.RequestID != res.Header.Get("X-Request-Id") {
			t.Fatalf("set plan %s", res.Body)
		}
		if l, i := plans(); l != "BIO" || i != "BIO" {
			t.Fatalf("after BIO %s/%s", l, i)
		}
		bad := []struct {
			name   string
			body   any
			status int
			code   string
		}{
			{"unknown plan", map[string]string{"plan": "FACE", "public_token": c.PublicToken}, 400, "VALIDATION_FAILED"},
			{"no plan", map[string]string{"public_token": c.PublicToken}, 400, "VALIDATION_FAILED"},
			{"no token", map[string]string{"plan": "ALL"}, 400, "VALIDATION_FAILED"},
			{"token not a string", map[string]any{"plan": "ALL", "public_token": true}, 400, "VALIDATION_FAILED"},
			{"malformed", `{"plan":`, 400, "VALIDATION_FAILED"},
			{"unknown card", map[string]string{"plan": "ALL", "public_token": "123"}, 404, "CARD_NOT_FOUND"},
			{"someone else's card", map[string]string{"plan": "ALL", "public_token": otherCard.PublicToken}, 404, "CARD_NOT_FOUND"},
		}
		for _, tc := range bad {
			t.Run(tc.name, func(t *testing.T) { put(tc.body).Expect(t, tc.status, tc.code) })
		}
		// The issuer refuses: our copy keeps the old plan.
		h.Do(http.MethodPost, "/api/v1/sandbox/issuer/failures", map[string]any{"operation": "set_3ds_plan"}).Expect(t, 200, "")
		put(map[string]string{"plan": "ALL", "public_token": c.PublicToken}).Expect(t, 502, "ISSUER_UNAVAILABLE")
		if l, i := plans(); l != "BIO" || i != "BIO" {
			t.Fatalf("after the issuer failure %s/%s", l, i)
		}
		if p, _ := h.App.IssuerSim.Plan(context.Background(), otherCard.PublicToken); p != "OTP" {
			t.Fatalf("the other card's plan changed to %s", p)
		}
		put(map[string]string{"plan": "all", "public_token": " " + c.PublicToken + " "}).Expect(t, 200, "")
		if l, i := plans(); l != "ALL" || i != "ALL" {
			t.Fatalf("after ALL %s/%s", l, i)
		}
		// A frozen account cannot change its card (API.md §1.3).
		if _, err := h.App.DB.SQL.Exec(`UPDATE users SET status = 'frozen' WHERE id = $1`, acc.ID); err != nil {
			t.Fatal(err)
		}
		put(map[string]string{"plan": "OTP", "public_token": c.PublicToken}).Expect(t, 403, "ACCOUNT_FROZEN")
		if _, err := h.App.DB.SQL.Exec(`UPDATE users SET status = 'active' WHERE id = $1`, acc.ID); err != nil {
			t.Fatal(err)
		}
		if l, i := plans(); l != "ALL" || i != "ALL" {
			t.Fatalf("a frozen account changed the plan: %s/%s", l, i)
		}
		if _, err := h.App.DB.SQL.Exec(`UPDATE cards SET status = 'cancelled' WHERE public_token = $1`, c.PublicToken); err != nil {
			t.Fatal(err)
		}
		put(map[string]string{"plan": "OTP", "public_token": c.PublicToken}).Expect(t, 400, "CARD_CANCELLED")
	})
}

func TestThreeDSMyRecords(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc, c := h.CardHolder(t, "tds-list@example.com")
		other, otherCard := h.CardHolder(t, "tds-list-other@example.com")
		var ids []string
		for i := range 3 {
			ids = append(ids, raise3DS(t, h, c.PublicToken, map[string]any{"auth_method": []string{"BIO", "OTP"}[i%2]}).NotificationID)
		}
		raise3DS(t, h, otherCard.PublicToken, map[string]any{"auth_method": "BIO"})
		pages := []struct {
			query                  string
			page, size, n, pagesOf int
			first                  string
		}{
			{"", 1, 20, 3, 1, ids[2]},
			{"?page_size=2", 1, 2, 2, 2, ids[2]},
			{"?page=2&page_size=2", 2, 2, 1, 2, ids[0]},
			{"?page=3&page_size=2", 3, 2, 0, 2, ""},
			{"?page_size=1000", 1, 100, 3, 1, ids[2]},
		}
		for _, p := range pages {
			t.Run(p.query, func(t *testing.T) {
				d := myRecords(t, h, acc, p.query)
				recs := d.Records
				if d.Page != p.page || d.PageSize != p.size || d.Total != 3 ||
					d.TotalPages != p.pagesOf || len(recs) != p.n {
					t.Fatalf("page %+v", d)
				}
				if p.first != "" && recs[0].NotificationID != p.first {
					t.Fatalf("not newest first: %v", recs)
				}
			})
		}
		for _, q := range []string{"?page=0", "?page=x", "?page_size=-1"} {
			h.Do(http.MethodGet, "/api/v1/3ds/my-records"+q, nil, apptest.Bearer(acc.Access)).Expect(t, 400, "VALIDATION_FAILED")
		}
		h.Do(http.MethodGet, "/api/v1/3ds/my-records", nil).Expect(t, 401, "UNAUTHORIZED")
		theirs := myRecords(t, h, other, "")
		if theirs.Total != 1 || theirs.Records[0].PublicToken != otherCard.PublicToken {
			t.Fatalf("the other user's records %+v", theirs)
		}
		h.Do(http.MethodPost, "/api/v1/sandbox/cards/123456/3ds", map[string]any{"auth_method": "BIO"}).Expect(t, 404, "CARD_NOT_FOUND")
		for _, body := range []map[string]any{{}, {"auth_method": "FACE"}, {"auth_method": "OTP", "amount": "-1"},
			{"auth_method": "OTP", "currency": "XXX"}, {"auth_method": "OTP", "expires_after": 0}} {
			h.Do(http.MethodPost, "/api/v1/sandbox/cards/"+c.PublicToken+"/3ds", body).Expect(t, 400, "VALIDATION_FAILED")
		}
		if d := myRecords(t, h, acc, ""); d.Total != 3 {
			t.Fatalf("bad helper calls created records: %+v", d)
		}
	})
}

// TestThreeDSParallelConfirms: concurrent approvals of one challenge forward
// the decision once and all get the record.
func TestThreeDSParallelConfirms(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc, c := h.CardHolder(t, "tds-race@example.com")
		nid := raise3DS(t, h, c.PublicToken, map[string]any{"auth_method": "BIO"}).NotificationID
		var wg sync.WaitGroup
		statuses := make([]int, 10)
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = confirm3DS(h, acc, nid, "SUCCESS").Status
			}()
		}
		wg.Wait()
		for i, st := range statuses {
			if st != 200 {
				t.Fatalf("request %d: %d", i, st)
			}
		}
		if rec := recordOf(t, h, acc, nid); rec.ChallengeStatus != "SUCCESS" {
			t.Fatalf("record %+v", rec)
		}
	})
}
