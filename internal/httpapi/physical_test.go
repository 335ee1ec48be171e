package httpapi_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/physical"
)

const (
	upgradeSend    = "/api/v1/card/physical/upgrade/email-code/send"
	upgradeVerify  = "/api/v1/card/physical/upgrade/email-code/verify"
	upgradeConvert = "/api/v1/card/convertToPhysical"
)

// keySeq makes Idempotency-Keys unique within a test binary.
var keySeq atomic.Int64

func newKey() apptest.Header {
	return apptest.Header{Name: "Idempotency-Key", Value: fmt.Sprintf("phy_%d_%d", time.Now().UnixMilli(), keySeq.Add(1))}
}

// expectC checks a family-C answer: HTTP status, integer code and errstr.
func expectC(t *testing.T, res *apptest.Response, status int, errstr string) *apptest.Response {
	t.Helper()
	if b := apptest.Decode[apptest.ErrorC](t, res); res.Status != status || b.Code != status || b.Errstr != errstr || b.RequestID == "" {
		t.Fatalf("got %d %v/%v, want %d %s; body %s", res.Status, b.Code, b.Errstr, status, errstr, res.Body)
	}
	return res
}

// dataC reads the data of a family-C body as T.
func dataC[T any](t *testing.T, res *apptest.Response) T {
	t.Helper()
	return apptest.Decode[apptest.EnvelopeC[T]](t, res).Data
}

// upgradeOrder is the data of PUT /card/convertToPhysical.
type upgradeOrder struct {
	OrderNo         string  `json:"order_no"`
	PublicToken     string  `json:"public_token"`
	Status          string  `json:"status"`
	StatusDesc      string  `json:"status_desc"`
	UpgradeAmount   float64 `json:"upgrade_amount"`
	PaymentCurrency string  `json:"payment_currency"`
	ApplicationID   int64   `json:"application_id"`
}

// upgradeProgressData is the data of GET /card/physical/upgrade/progress.
type upgradeProgressData struct {
	OrderNo       string `json:"order_no"`
	ApplicationID int64  `json:"application_id"`
	Status        string `json:"status"`
	TrackingNo    string `json:"tracking_no"`
	FailReason    string `json:"fail_reason"`
	RefundStatus  string `json:"refund_status"`
	Timeline      []struct {
		Status         string `json:"status"`
		PreviousStatus string `json:"previous_status"`
		Source         string `json:"source"`
		ExternalReqID  string `json:"external_req_id"`
	} `json:"timeline"`
}

// cardDetailsData is the data of GET /card/account-details (the fields the
// tests read).
type cardDetailsData struct {
	PublicToken     string `json:"public_token"`
	Physical        bool   `json:"physical"`
	UpdatePhysical  bool   `json:"update_physical"`
	ApplicationID   *int64 `json:"application_id"`
	ThreeDSAuthPlan string `json:"three_ds_auth_plan"`
}

// shipmentData is the data of POST /sandbox/cards/{token}/shipment/advance.
type shipmentData struct {
	Status     string `json:"status"`
	TrackingNo string `json:"tracking_no"`
}

// deliveryConfirmed is the answer of POST /card/physical-application/{id}/confirm-delivery.
type deliveryConfirmed struct {
	apptest.EnvelopeA
	ApplicationID int64 `json:"application_id"`
	CardID        int64 `json:"card_id"`
	Application   struct {
		Status         string  `json:"status"`
		StatusText     string  `json:"status_text"`
		TrackingNumber string  `json:"tracking_number"`
		ShippedAt      *string `json:"shipped_at"`
		DeliveredAt    *string `json:"delivered_at"`
	} `json:"application"`
}

// unifiedItem is an item of GET /wallet/unified-transactions.
type unifiedItem struct {
	Amount      float64 `json:"amount"`
	SourceTable string  `json:"source_table"`
}

// cardListData is the data of GET /card/list.
type cardListData struct {
	Total int `json:"total"`
	Cards []struct {
		ID          int64  `json:"id"`
		PublicToken string `json:"public_token"`
		Status      string `json:"status"`
		CardScheme  string `json:"card_scheme"`
		Currency    string `json:"currency"`
		KYCID       int64  `json:"kyc_id"`
		IsPhysical  bool   `json:"is_physical"`
	} `json:"cards"`
}

func sendUpgradeCode(h *apptest.Harness, acc apptest.Account, token string) *apptest.Response {
	return h.Do(http.MethodPost, upgradeSend, map[string]any{"public_token": token, "scene": "physical_upgrade", "email": "x@y.z"},
		apptest.Bearer(acc.Access))
}

func verifyUpgradeCode(h *apptest.Harness, acc apptest.Account, token, code string) *apptest.Response {
	return h.Do(http.MethodPost, upgradeVerify, map[string]any{"public_token": token, "code": code, "scene": "physical_upgrade"},
		apptest.Bearer(acc.Access))
}

// upgradeCodeSent is the data of POST /card/physical/upgrade/email-code/send.
type upgradeCodeSent struct {
	Sent         bool   `json:"sent"`
	ExpiresInSec int    `json:"expires_in_sec"`
	OTP          string `json:"otp"`
}

// verifiedToken runs send → verify and returns the verify_token.
func verifiedToken(t *testing.T, h *apptest.Harness, acc apptest.Account, token string) string {
	t.Helper()
	sent := dataC[upgradeCodeSent](t, expectC(t, sendUpgradeCode(h, acc, token), 200, "SUCCESS"))
	if !regexp.MustCompile(`^[0-9]{6}$`).MatchString(sent.OTP) || !sent.Sent || sent.ExpiresInSec != 600 {
		t.Fatalf("send data %+v", sent)
	}
	v := dataC[struct {
		VerifyToken  string `json:"verify_token"`
		ExpiresInSec int    `json:"expires_in_sec"`
	}](t, expectC(t, verifyUpgradeCode(h, acc, token, sent.OTP), 200, "SUCCESS"))
	if !regexp.MustCompile(`^vt_[A-Za-z0-9]{32,}$`).MatchString(v.VerifyToken) || v.ExpiresInSec != 600 {
		t.Fatalf("verify data %+v", v)
	}
	return v.VerifyToken
}

func convertBody(token, vt, currency string) map[string]any {
	return map[string]any{"public_token": token, "verify_token": vt, "recipient": "张三", "name_on_card": "JOHN DOE",
		"area_code": "+86", "phone": "13800138000", "postal_country": "CN", "postal_state": "上海", "postal_city": "上海",
		"postal_address": "某街道123号", "postal_code": "200000", "payment_currency": currency}
}

func convert(h *apptest.Harness, acc apptest.Account, body any, headers ...apptest.Header) *apptest.Response {
	return h.Do(http.MethodPut, upgradeConvert, body, append(headers, apptest.Bearer(acc.Access))...)
}

func upgradeProgress(h *apptest.Harness, acc apptest.Account, token string) *apptest.Response {
	return h.Do(http.MethodGet, "/api/v1/card/physical/upgrade/progress?public_token="+token, nil, apptest.Bearer(acc.Access))
}

func cardDetails(t *testing.T, h *apptest.Harness, acc apptest.Account, token string) cardDetailsData {
	t.Helper()
	return apptest.Data[cardDetailsData](t, h.Do(http.MethodGet, "/api/v1/card/account-details?public_token="+token, nil, apptest.Bearer(acc.Access)).Expect(t, 200, ""))
}

// sameApplication tells whether the card's application_id is id.
func (d cardDetailsData) sameApplication(id int64) bool {
	return d.ApplicationID != nil && *d.ApplicationID == id
}

func advance(t *testing.T, h *apptest.Harness, token string, body any) shipmentData {
	t.Helper()
	return apptest.Data[shipmentData](t, h.Do(http.MethodPost, "/api/v1/sandbox/cards/"+token+"/shipment/advance", body).Expect(t, 200, ""))
}

func timelineOf(data upgradeProgressData) (statuses, sources []string) {
	for _, ev := range data.Timeline {
		statuses, sources = append(statuses, ev.Status), append(sources, ev.Source)
	}
	return statuses, sources
}

func upgradeProgressOf(t *testing.T, res *apptest.Response) upgradeProgressData {
	t.Helper()
	return dataC[upgradeProgressData](t, res)
}

func unifiedOfType(t *testing.T, h *apptest.Harness, acc apptest.Account, typ string) []unifiedItem {
	t.Helper()
	res := h.Do(http.MethodGet, "/api/v1/wallet/unified-transactions?type="+typ, nil, apptest.Bearer(acc.Access)).Expect(t, 200, "")
	return apptest.Data[struct {
		Items []unifiedItem `json:"items"`
	}](t, res).Items
}

func TestPhysicalUpgradeJourney(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc, c := h.CardHolder(t, "upgrade@example.com")
		h.Deposit(t, acc, "USDT-TRC20", "50")
		fee := dataC[struct {
			UpgradeAmount float64 `json:"upgrade_amount"`
			Currency      string  `json:"currency"`
			Currencies    []struct {
				Name   string `json:"name"`
				Symbol string `json:"symbol"`
			} `json:"currencies"`
		}](t, expectC(t, h.Do(http.MethodGet, "/api/v1/card/physical/upgrade/fee-info", nil, apptest.Bearer(acc.Access)), 200, "SUCCESS"))
		if fee.UpgradeAmount != 40 || fee.Currency != "USD" || len(fee.Currencies) != 4 ||
			fee.Currencies[0].Name != "USDT-TRC20" || fee.Currencies[0].Symbol != "TRCUSDT" {
			t.Fatalf("fee-info %+v", fee)
		}
		if d := cardDetails(t, h, acc, c.PublicToken); d.Physical || d.UpdatePhysical || d.ApplicationID != nil {
			t.Fatalf("details before the upgrade %+v", d)
		}
		expectC(t, upgradeProgress(h, acc, c.PublicToken), 404, "ORDER_NOT_FOUND")

		vt := verifiedToken(t, h, acc, c.PublicToken)
		key := newKey()
		res := expectC(t, convert(h, acc, convertBody(c.PublicToken, vt, "USDT-TRC20"), key), 200, "SUCCESS")
		order := dataC[upgradeOrder](t, res)
		if !regexp.MustCompile(`^UPG20260225120[0-9]{3}[A-Z0-9]{4}$`).MatchString(order.OrderNo) || order.Status != "SUBMITTED" ||
			order.StatusDesc != "Submitted to the card issuer" || order.UpgradeAmount != 40 ||
			order.PaymentCurrency != "USDT-TRC20" || order.PublicToken != c.PublicToken {
			t.Fatalf("convert data %+v", order)
		}
		if got := balanceOf(t, h, acc, "USDT-TRC20"); got != "10" {
			t.Fatalf("balance after the upgrade fee = %s, want 10", got)
		}
		// The same key replays the answer; nothing is charged twice.
		replay := convert(h, acc, convertBody(c.PublicToken, vt, "USDT-TRC20"), key)
		if replay.Status != 200 || !bytes.Equal(replay.Body, res.Body) || replay.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay %d %s", replay.Status, replay.Body)
		}
		d := cardDetails(t, h, acc, c.PublicToken)
		if !d.Physical || !d.UpdatePhysical || !d.sameApplication(order.ApplicationID) {
			t.Fatalf("details after the upgrade %+v", d)
		}
		expectC(t, sendUpgradeCode(h, acc, c.PublicToken), 400, "UPGRADE_IN_PROGRESS")
		expectC(t, convert(h, acc, convertBody(c.PublicToken, vt, "USDT-TRC20"), newKey()), 400, "VERIFY_TOKEN_INVALID")
		h.Do(http.MethodPost, fmt.Sprintf("/api/v1/card/physical-application/%d/confirm-delivery", c.ID), nil,
			apptest.Bearer(acc.Access)).Expect(t, 409, "APPLICATION_NOT_SHIPPED")

		if a := advance(t, h, c.PublicToken, nil); a.Status != "PROCESSING" || a.TrackingNo != "" {
			t.Fatalf("advance %+v", a)
		}
		shipped := advance(t, h, c.PublicToken, map[string]any{"to": "SHIPPED"})
		if shipped.Status != "SHIPPED" || !regexp.MustCompile(`^SF[0-9]{10}$`).MatchString(shipped.TrackingNo) {
			t.Fatalf("shipped %+v", shipped)
		}
		// A stale update (backwards) is ignored.
		if a := advance(t, h, c.PublicToken, map[string]any{"to": "PROCESSING"}); a.Status != "SHIPPED" {
			t.Fatalf("a backward update moved the order: %+v", a)
		}
		var first []byte
		for i := range 2 {
			res := h.Do(http.MethodPost, fmt.Sprintf("/api/v1/card/physical-application/%d/confirm-delivery", c.ID), nil,
				apptest.Bearer(acc.Access)).Expect(t, 200, "")
			b := apptest.Decode[deliveryConfirmed](t, res)
			app := b.Application
			if b.Message != "Delivery confirmed successfully" || b.CardID != c.ID ||
				b.ApplicationID != order.ApplicationID || app.Status != "delivered" || app.StatusText != "Delivered" ||
				app.TrackingNumber != shipped.TrackingNo || app.ShippedAt == nil || app.DeliveredAt == nil {
				t.Fatalf("confirm-delivery %d: %s", i, res.Body)
			}
			if i == 1 && !bytes.Equal(first, res.Body) {
				t.Fatalf("second confirmation differs:\n%s\n%s", first, res.Body)
			}
			first = res.Body
		}
		// By application id too.
		h.Do(http.MethodPost, fmt.Sprintf("/api/v1/card/physical-application/%d/confirm-delivery", order.ApplicationID), nil,
			apptest.Bearer(acc.Access)).Expect(t, 200, "")

		prog := upgradeProgressOf(t, expectC(t, upgradeProgress(h, acc, c.PublicToken), 200, "SUCCESS"))
		statuses, sources := timelineOf(prog)
		if fmt.Sprint(statuses) != "[INIT EMAIL_VERIFIED FEE_PAID SUBMITTED PROCESSING SHIPPED DELIVERED]" ||
			fmt.Sprint(sources) != "[user user user system callback callback user]" || prog.Status != "DELIVERED" ||
			prog.TrackingNo != shipped.TrackingNo || prog.RefundStatus != "" || prog.OrderNo != order.OrderNo {
			t.Fatalf("progress %+v", prog)
		}
		if sub := prog.Timeline[3]; sub.ExternalReqID == "" || sub.PreviousStatus != "FEE_PAID" {
			t.Fatalf("SUBMITTED entry %+v", sub)
		}
		expectC(t, sendUpgradeCode(h, acc, c.PublicToken), 400, "ALREADY_PHYSICAL")
		items := unifiedOfType(t, h, acc, "card_upgrade")
		if len(items) != 1 || items[0].Amount != -40 || items[0].SourceTable != "physical_orders" {
			t.Fatalf("card_upgrade history %v", items)
		}
		list := apptest.Data[cardListData](t, h.Do(http.MethodGet, "/api/v1/card/list", nil, apptest.Bearer(acc.Access)).Expect(t, 200, ""))
		if !list.Cards[0].IsPhysical {
			t.Fatalf("card list %+v", list)
		}
		var notified []string
		for _, n := range cardNotifications(t, h, acc.ID, "physical_card_status") {
			if n["order_no"] != order.OrderNo || (n["status"] == "SHIPPED" && n["tracking_no"] != shipped.TrackingNo) {
				t.Errorf("physical_card_status notification %v", n)
			}
			notified = append(notified, n["status"].(string))
		}
		if fmt.Sprint(notified) != "[SUBMITTED PROCESSING SHIPPED DELIVERED]" {
			t.Errorf("physical_card_status notifications for %v", notified)
		}
		verifyLedger(t, h)
	})
}

func TestPhysicalUpgradeErrors(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc, c := h.CardHolder(t, "upgrade-errors@example.com")
		other, oc := h.CardHolder(t, "upgrade-other@example.com")
		auth := apptest.Bearer(acc.Access)

		// The e-mail code.
		for _, tc := range []struct {
			name string
			body any
			want string
		}{
			{"no scene", map[string]any{"public_token": c.PublicToken}, "VALIDATION_FAILED"},
			{"wrong scene", map[string]any{"public_token": c.PublicToken, "scene": "login"}, "VALIDATION_FAILED"},
			{"no card", map[string]any{"scene": "physical_upgrade"}, "VALIDATION_FAILED"},
			{"not json", `{"public_token":`, "VALIDATION_FAILED"},
		} {
			t.Run(tc.name, func(t *testing.T) { expectC(t, h.Do(http.MethodPost, upgradeSend, tc.body, auth), 400, tc.want) })
		}
		expectC(t, sendUpgradeCode(h, acc, oc.PublicToken), 403, "CARD_NOT_OWNED")
		expectC(t, sendUpgradeCode(h, acc, "999999999"), 403, "CARD_NOT_OWNED")
		expectC(t, upgradeProgress(h, acc, oc.PublicToken), 403, "CARD_NOT_OWNED")
		h.Do(http.MethodPost, upgradeSend, map[string]any{"public_token": c.PublicToken, "scene": "physical_upgrade"}).Expect(t, 401, "UNAUTHORIZED")
		mails := len(h.App.Outbox.To(acc.Email))
		code := dataC[upgradeCodeSent](t, expectC(t, sendUpgradeCode(h, acc, c.PublicToken), 200, "SUCCESS")).OTP
		if got := h.Outbox(acc.Email, mails+1)[0]; got.OTP != code {
			t.Fatalf("the mailed code %q is not the echoed one", got.OTP)
		}
		limited := expectC(t, sendUpgradeCode(h, acc, c.PublicToken), 429, "RATE_LIMITED")
		if apptest.Decode[apptest.ErrorC](t, limited).RetryAfter == nil || limited.Header.Get("Retry-After") == "" {
			t.Fatalf("cooldown without retry_after: %s", limited.Body)
		}
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		for range 4 {
			expectC(t, verifyUpgradeCode(h, acc, c.PublicToken, wrong), 400, "OTP_INVALID")
		}
		burned := expectC(t, verifyUpgradeCode(h, acc, c.PublicToken, wrong), 423, "OTP_ATTEMPTS_EXCEEDED")
		if apptest.Decode[apptest.ErrorC](t, burned).RetryAfter == nil {
			t.Fatalf("423 without retry_after: %s", burned.Body)
		}
		expectC(t, verifyUpgradeCode(h, acc, c.PublicToken, code), 423, "OTP_ATTEMPTS_EXCEEDED")
		h.Clock.Advance(61 * time.Second)
		vt := verifiedToken(t, h, acc, c.PublicToken)
		otherVT := verifiedToken(t, h, other, oc.PublicToken)

		// The conversion, before anything is charged.
		body := convertBody(c.PublicToken, vt, "USDT-TRC20")
		expectC(t, convert(h, acc, body), 400, "IDEMPOTENCY_KEY_REQUIRED")
		expectC(t, convert(h, acc, body, apptest.Header{Name: "Idempotency-Key", Value: "short"}), 400, "IDEMPOTENCY_KEY_REQUIRED")
		bad := convertBody(c.PublicToken, vt, "USDT-TRC20")
		bad["name_on_card"], bad["phone"] = "john doe", "12ab"
		delete(bad, "postal_city")
		res := expectC(t, convert(h, acc, bad, newKey()), 400, "VALIDATION_FAILED")
		if f := apptest.Decode[apptest.ErrorC](t, res).Fields; f["name_on_card"] == "" || f["phone"] == "" || f["postal_city"] == "" {
			t.Fatalf("fields %v", f)
		}
		cases := []struct {
			name   string
			body   map[string]any
			status int
			want   string
		}{
			{"token of another card", convertBody(c.PublicToken, otherVT, "USDT-TRC20"), 400, "VERIFY_TOKEN_INVALID"},
			{"unknown token", convertBody(c.PublicToken, "vt_"+string(bytes.Repeat([]byte("a"), 40)), "USDT-TRC20"), 400, "VERIFY_TOKEN_INVALID"},
			{"card of another user", convertBody(oc.PublicToken, otherVT, "USDT-TRC20"), 403, "CARD_NOT_OWNED"},
			{"hkd", convertBody(c.PublicToken, vt, "HKD"), 400, "UNSUPPORTED_CURRENCY"},
			{"no balance", convertBody(c.PublicToken, vt, "USDT-TRC20"), 400, "INSUFFICIENT_BALANCE"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) { expectC(t, convert(h, acc, tc.body, newKey()), tc.status, tc.want) })
		}
		// A refusal is stored for its key; the same key with another body conflicts.
		key := newKey()
		first := expectC(t, convert(h, acc, body, key), 400, "INSUFFICIENT_BALANCE")
		if again := convert(h, acc, body, key); !bytes.Equal(again.Body, first.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("stored refusal not replayed: %s", again.Body)
		}
		expectC(t, convert(h, acc, convertBody(c.PublicToken, vt, "USDT-ERC20"), key), 409, "IDEMPOTENCY_CONFLICT")
		// The token outlives the refusals, then expires.
		h.Deposit(t, acc, "USDT-TRC20", "40")
		setStatus := func(status string) {
			if _, err := h.App.DB.SQL.Exec(`UPDATE users SET status = $1 WHERE id = $2`, status, acc.ID); err != nil {
				t.Fatal(err)
			}
		}
		setStatus("frozen")
		expectC(t, convert(h, acc, body, newKey()), 403, "ACCOUNT_FROZEN")
		setStatus("active")
		h.Clock.Advance(11 * time.Minute)
		expectC(t, convert(h, acc, body, newKey()), 400, "VERIFY_TOKEN_INVALID")
		h.Do(http.MethodPost, "/api/v1/card/physical-application/abc/confirm-delivery", nil, apptest.Bearer(acc.Access)).Expect(t, 404, "APPLICATION_NOT_FOUND")
		h.Do(http.MethodPost, fmt.Sprintf("/api/v1/card/physical-application/%d/confirm-delivery", oc.ID), nil,
			apptest.Bearer(acc.Access)).Expect(t, 404, "APPLICATION_NOT_FOUND")
		if got := balanceOf(t, h, acc, "USDT-TRC20"); got != "40" {
			t.Fatalf("balance %s, want 40: nothing was charged", got)
		}
		verifyLedger(t, h)
	})
}

func TestPhysicalUpgradeIssuerFailure(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc, c := h.CardHolder(t, "upgrade-fail@example.com")
		h.Deposit(t, acc, "USDC-ERC20", "40")
		vt := verifiedToken(t, h, acc, c.PublicToken)
		h.Do(http.MethodPost, "/api/v1/sandbox/issuer/failures", map[string]any{"operation": "convert_physical"}).Expect(t, 200, "")
		key, body := newKey(), convertBody(c.PublicToken, vt, "USDC-ERC20")
		failed := expectC(t, convert(h, acc, body, key), 502, "ISSUER_UNAVAILABLE")
		if got := balanceOf(t, h, acc, "USDC-ERC20"); got != "40" {
			t.Fatalf("balance after the refund %s, want 40", got)
		}
		prog := upgradeProgressOf(t, expectC(t, upgradeProgress(h, acc, c.PublicToken), 200, "SUCCESS"))
		if prog.Status != "FAILED" || prog.RefundStatus != "COMPLETED" || prog.FailReason == "" || prog.TrackingNo != "" {
			t.Fatalf("failed order %v", prog)
		}
		if d := cardDetails(t, h, acc, c.PublicToken); d.Physical || d.UpdatePhysical || !d.sameApplication(prog.ApplicationID) {
			t.Fatalf("details after the failure %v", d)
		}
		replay := convert(h, acc, body, key)
		if replay.Status != 502 || !bytes.Equal(replay.Body, failed.Body) || replay.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay %d %s, want the stored 502 %s", replay.Status, replay.Body, failed.Body)
		}
		refunds := unifiedOfType(t, h, acc, "refund")
		if len(refunds) != 1 || refunds[0].Amount != 40 || len(unifiedOfType(t, h, acc, "card_upgrade")) != 1 {
			t.Fatalf("refund history %v", refunds)
		}
		// The verify token survived: a new key makes a new order.
		ok := dataC[upgradeOrder](t, expectC(t, convert(h, acc, body, newKey()), 200, "SUCCESS"))
		if ok.Status != "SUBMITTED" || ok.OrderNo == prog.OrderNo || ok.ApplicationID == prog.ApplicationID {
			t.Fatalf("retry %v (failed order %v)", ok, prog)
		}
		if got := balanceOf(t, h, acc, "USDC-ERC20"); got != "0" {
			t.Fatalf("balance after the retry %s, want 0", got)
		}
		statuses, _ := timelineOf(upgradeProgressOf(t, upgradeProgress(h, acc, c.PublicToken)))
		if fmt.Sprint(statuses) != "[FEE_PAID SUBMITTED]" {
			t.Fatalf("retry timeline %v", statuses)
		}
		// A failure reported by the issuer after submission refunds too.
		advance(t, h, c.PublicToken, map[string]any{"to": "FAILED", "fail_reason": "Address undeliverable"})
		prog = upgradeProgressOf(t, upgradeProgress(h, acc, c.PublicToken))
		if prog.Status != "FAILED" || prog.FailReason != "Address undeliverable" || prog.RefundStatus != "COMPLETED" ||
			balanceOf(t, h, acc, "USDC-ERC20") != "40" {
			t.Fatalf("issuer-reported failure %v", prog)
		}
		verifyLedger(t, h)
	})
}

// TestPhysicalUpgradeParallel: many conversions of one card with one verify
// token and different keys charge the fee exactly once.
func TestPhysicalUpgradeParallel(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc, c := h.CardHolder(t, "upgrade-race@example.com")
		h.Deposit(t, acc, "USDT-TRC20", "400")
		vt := verifiedToken(t, h, acc, c.PublicToken)
		var (
			wg    sync.WaitGroup
			mu    sync.Mutex
			codes = map[string]int{}
		)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res := convert(h, acc, convertBody(c.PublicToken, vt, "USDT-TRC20"), newKey())
				mu.Lock()
				var b apptest.ErrorC // not Decode: t.Fatal may not run here
				_ = json.Unmarshal(res.Body, &b)
				codes[fmt.Sprintf("%d %v", res.Status, b.Errstr)]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if codes["200 SUCCESS"] != 1 || codes["400 UPGRADE_IN_PROGRESS"]+codes["400 VERIFY_TOKEN_INVALID"] != 7 {
			t.Fatalf("answers %v, want one success", codes)
		}
		if got := balanceOf(t, h, acc, "USDT-TRC20"); got != "360" {
			t.Fatalf("balance %s, want 360", got)
		}
		verifyLedger(t, h)
	})
}

// TestPhysicalUpgradeRecovery: the settling transaction is lost after the
// fee was paid (a crash); the recovery job settles the order with the
// issuer's first answer, or refunds it when the issuer keeps refusing.
func TestPhysicalUpgradeRecovery(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		ctx := context.Background()
		acc, c := h.CardHolder(t, "upgrade-crash@example.com")
		h.Deposit(t, acc, "USDT-TRC20", "80")
		crash := errors.New("process died")
		stuck := func(fail bool) physical.Order {
			vt := verifiedToken(t, h, acc, c.PublicToken)
			if fail {
				h.App.IssuerSim.FailNext("convert_physical", 1)
			}
			var o physical.Order
			in := physical.ConvertInput{UserID: acc.ID, PublicToken: c.PublicToken, VerifyToken: vt, PaymentCurrency: "USDT-TRC20",
				Shipping: physical.Shipping{Recipient: "A", NameOnCard: "JOHN DOE", Country: "HK"}}
			_, err := h.App.Physical.Convert(ctx, in, func(_ context.Context, _ *sql.Tx, res physical.Result) error {
				o = res.Order
				return crash
			})
			if !errors.Is(err, crash) {
				t.Fatalf("convert: %v", err)
			}
			if got := upgradeProgressOf(t, upgradeProgress(h, acc, c.PublicToken)).Status; got != "FEE_PAID" {
				t.Fatalf("order after the crash is %v", got)
			}
			return o
		}
		o := stuck(true)
		h.App.IssuerSim.FailNext("convert_physical", 1)
		if err := h.App.Physical.Recover(ctx, o.ID, false); err == nil {
			t.Fatal("a refused retry should be retried by the job queue")
		}
		h.App.IssuerSim.FailNext("convert_physical", 1)
		if err := h.App.Physical.Recover(ctx, o.ID, true); err != nil {
			t.Fatal(err)
		}
		prog := upgradeProgressOf(t, upgradeProgress(h, acc, c.PublicToken))
		if prog.Status != "FAILED" || prog.RefundStatus != "COMPLETED" || balanceOf(t, h, acc, "USDT-TRC20") != "80" {
			t.Fatalf("final recovery %v", prog)
		}
		h.Clock.Advance(61 * time.Second)
		o = stuck(false)
		for range 2 { // a duplicate job run changes nothing
			if err := h.App.Physical.Recover(ctx, o.ID, false); err != nil {
				t.Fatal(err)
			}
		}
		prog = upgradeProgressOf(t, upgradeProgress(h, acc, c.PublicToken))
		statuses, _ := timelineOf(prog)
		sub := prog.Timeline[len(statuses)-1]
		if prog.Status != "SUBMITTED" || fmt.Sprint(statuses) != "[INIT EMAIL_VERIFIED FEE_PAID SUBMITTED]" || sub.ExternalReqID == "" ||
			balanceOf(t, h, acc, "USDT-TRC20") != "40" || !cardDetails(t, h, acc, c.PublicToken).Physical {
			t.Fatalf("recovered order %v", prog)
		}
		verifyLedger(t, h)
	})
}

// TestPhysicalApplicationOrder: a card applied for as physical gets its
// order in SUBMITTED at issuance and cannot be upgraded.
func TestPhysicalApplicationOrder(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc := verifiedUser(t, h, "physical-apply@example.com")
		h.Deposit(t, acc, "USDT-TRC20", "45")
		ref := apptest.Decode[apptest.FeePayment](t, createPayment(h, acc, "physical").Expect(t, 200, "")).Payment.TransactionRef
		completePayment(h, acc, ref, "USDT-TRC20").Expect(t, 200, "")
		res := applyCard(h, acc, map[string]any{"physical": true, "name_on_card": "JOHN DOE", "recipient": "John Doe", "area_code": "+852",
			"phone": "91234567", "postal_address": "1 Queen's Road", "postal_city": "Hong Kong", "postal_code": "000000",
			"postal_country": "HK"}).Expect(t, 200, "")
		done := waitTask(t, h, acc, apptest.Data[apptest.CardApplied](t, res).TaskID)
		item := done.List[0]
		token, cardID := item.PublicToken, item.CardID
		d := cardDetails(t, h, acc, token)
		prog := upgradeProgressOf(t, expectC(t, upgradeProgress(h, acc, token), 200, "SUCCESS"))
		statuses, sources := timelineOf(prog)
		if !d.Physical || !d.UpdatePhysical || !d.sameApplication(prog.ApplicationID) ||
			fmt.Sprint(statuses) != "[SUBMITTED]" || fmt.Sprint(sources) != "[system]" {
			t.Fatalf("details %v, progress %v", d, prog)
		}
		expectC(t, sendUpgradeCode(h, acc, token), 400, "ALREADY_PHYSICAL")
		advance(t, h, token, map[string]any{"to": "SHIPPED", "tracking_no": "SF0000000001"})
		res = h.Do(http.MethodPost, "/api/v1/card/physical-application/"+strconv.FormatInt(cardID, 10)+"/confirm-delivery", nil,
			apptest.Bearer(acc.Access)).Expect(t, 200, "")
		if app := apptest.Decode[deliveryConfirmed](t, res).Application; app.TrackingNumber != "SF0000000001" || app.Status != "delivered" {
			t.Fatalf("delivery %s", res.Body)
		}
	})
}
