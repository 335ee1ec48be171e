package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

var secPINRE = regexp.MustCompile(`^[0-9]{4}$`)

// TestCardPINJourney: code → query, code → set, query again; single-use
// codes, the resend cooldown, the e-mail, the audit and the logs.
func TestCardPINJourney(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc, cd := h.CardHolder(t, "pin@example.com")
		c := secAs(h, acc)
		mails := len(h.App.Outbox.To(acc.Email))

		res := c.sendCode(cd.PublicToken, "card_pin_query")
		d := secOKC(t, res, "OTP sent")
		if d.PublicToken != cd.PublicToken || d.Purpose != "card_pin_query" || !d.Sent || d.ExpiresInSec != 600 || d.OTP == nil {
			t.Fatalf("code send data %+v", d)
		}
		query := *d.OTP
		mail := h.Outbox(acc.Email, mails+1)[0]
		if mail.OTP != query || mail.Subject != "Your ComeComePay card PIN code" {
			t.Fatalf("mail %+v, want the code %s", mail, query)
		}
		// Resend within 60 s of the same scope: cooldown.
		secExpectC(t, c.sendCode(cd.PublicToken, "card_pin_query"), 429, "RATE_LIMITED")

		res = c.getPIN(cd.PublicToken, query)
		pin := secOKC(t, res, "PIN retrieved successfully").PIN
		if !secPINRE.MatchString(pin) || res.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("pin %q, headers %v", pin, res.Header)
		}
		secExpectC(t, c.getPIN(cd.PublicToken, query), 400, "OTP_EXPIRED")

		// The first PIN stays the same until it is set.
		h.Clock.Advance(time.Minute)
		if again := secOKC(t, c.getPIN(cd.PublicToken, c.code(t, cd.PublicToken, "card_pin_query")), "PIN retrieved successfully"); again.PIN != pin {
			t.Fatalf("PIN changed by itself: %v then %v", pin, again.PIN)
		}

		activate := c.code(t, cd.PublicToken, "card_pin_activate")
		res = c.setPIN(cd.PublicToken, "918273", activate)
		if d := secOKC(t, res, "PIN set successfully"); !d.null {
			t.Fatalf("set data %+v, want null", d)
		}
		secExpectC(t, c.setPIN(cd.PublicToken, "918273", activate), 400, "OTP_EXPIRED")
		h.Clock.Advance(time.Minute)
		last := c.code(t, cd.PublicToken, "card_pin_query")
		if got := secOKC(t, c.getPIN(cd.PublicToken, last), "PIN retrieved successfully").PIN; got != "918273" {
			t.Fatalf("pin after set %v", got)
		}

		var kinds []string
		for _, r := range secAudit(t, h, acc.ID) {
			if r.Outcome != "ok" || r.UserAgent != secUserAgent || r.CardID != cd.ID {
				t.Errorf("audit row %+v", r)
			}
			kinds = append(kinds, r.Kind)
		}
		if want := []string{"pin_query", "pin_query", "pin_set", "pin_query"}; !slices.Equal(kinds, want) {
			t.Fatalf("audit kinds %v, want %v", kinds, want)
		}
		secNoLeak(t, h, "918273", query, activate, last)
		if logs := h.Log.String(); regexp.MustCompile(`"pin"|"otp_code"|"otp"`).MatchString(logs) {
			t.Fatal("the log carries a pin or code field")
		}
	})
}

// TestCardPINCodeScopes: a code is bound to its card and its purpose, and
// five wrong tries burn it.
func TestCardPINCodeScopes(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc, cd := h.CardHolder(t, "pin-scopes@example.com")
		second := secSecondCard(t, h, acc)
		c := secAs(h, acc)

		// Purpose: a query code does not set a PIN, an activation code does not reveal one.
		query := c.code(t, cd.PublicToken, "card_pin_query")
		activate := c.code(t, cd.PublicToken, "card_pin_activate")
		secExpectC(t, c.setPIN(cd.PublicToken, "1234", query), 400, "OTP_INVALID")
		secExpectC(t, c.getPIN(cd.PublicToken, activate), 400, "OTP_INVALID")
		// Card: a code for the first card is worthless on the second.
		secExpectC(t, c.getPIN(second, query), 400, "OTP_INVALID")
		secExpectC(t, c.setPIN(second, "1234", activate), 400, "OTP_INVALID")
		// Each card has its own cooldown scope.
		secondQuery := c.code(t, second, "card_pin_query")
		secOKC(t, c.getPIN(second, secondQuery), "PIN retrieved successfully")
		// The right codes still work where they belong.
		secOKC(t, c.getPIN(cd.PublicToken, query), "PIN retrieved successfully")
		secOKC(t, c.setPIN(cd.PublicToken, "1234", activate), "PIN set successfully")

		// Attempts: tries 1–4 are 400, the 5th burns the code (429), and the
		// right code is refused from then on.
		h.Clock.Advance(time.Minute)
		code := c.code(t, cd.PublicToken, "card_pin_query")
		wrong := wrongCode(code)
		for i := 1; i <= 4; i++ {
			secExpectC(t, c.getPIN(cd.PublicToken, wrong), 400, "OTP_INVALID")
		}
		secExpectC(t, c.getPIN(cd.PublicToken, wrong), 429, "OTP_ATTEMPTS_EXCEEDED")
		secExpectC(t, c.getPIN(cd.PublicToken, code), 429, "OTP_ATTEMPTS_EXCEEDED")
		// A new code (after the cooldown) starts afresh.
		h.Clock.Advance(time.Minute)
		secOKC(t, c.getPIN(cd.PublicToken, c.code(t, cd.PublicToken, "card_pin_query")), "PIN retrieved successfully")
		// An expired code.
		h.Clock.Advance(time.Minute)
		stale := c.code(t, cd.PublicToken, "card_pin_query")
		h.Clock.Advance(10*time.Minute + time.Second)
		secExpectC(t, c.getPIN(cd.PublicToken, stale), 400, "OTP_EXPIRED")
		// Wrong tries leave no audit rows: only the successful queries and the set.
		if n := len(secAudit(t, h, acc.ID)); n != 4 {
			t.Fatalf("%d audit rows, want 4", n)
		}
	})
}

func wrongCode(code string) string {
	n, _ := strconv.Atoi(code)
	return strconv.Itoa(10000 + (n+1)%90000)
}

// TestCardPINRefusals: validation, ownership (403 CARD_NOT_OWNED, family C),
// cancelled cards and frozen accounts.
func TestCardPINRefusals(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc, cd := h.CardHolder(t, "pin-refusals@example.com")
		other, otherCard := h.CardHolder(t, "pin-refusals-other@example.com")
		c := secAs(h, acc)
		code := c.code(t, cd.PublicToken, "card_pin_activate")
		cases := []struct {
			name   string
			res    func() *apptest.Response
			status int
			code   string
			field  string
		}{
			{"send without purpose", func() *apptest.Response { return c.sendCode(cd.PublicToken, "") }, 400, "VALIDATION_FAILED", "purpose"},
			{"send with an unknown purpose", func() *apptest.Response { return c.sendCode(cd.PublicToken, "card_pin_reset") }, 400, "VALIDATION_FAILED", "purpose"},
			{"send with a malformed body", func() *apptest.Response {
				return c.do(http.MethodPost, "/api/v1/card/"+cd.PublicToken+"/pin/code/send", `{"purpose":`)
			}, 400, "VALIDATION_FAILED", ""},
			{"query without a code", func() *apptest.Response {
				return c.do(http.MethodGet, "/api/v1/card/"+cd.PublicToken+"/pin", nil)
			}, 400, "VALIDATION_FAILED", "otp_code"},
			{"query with a 4-digit code", func() *apptest.Response { return c.getPIN(cd.PublicToken, "1234") }, 400, "VALIDATION_FAILED", "otp_code"},
			{"set a 3-digit PIN", func() *apptest.Response { return c.setPIN(cd.PublicToken, "123", code) }, 400, "VALIDATION_FAILED", "pin"},
			{"set a 7-digit PIN", func() *apptest.Response { return c.setPIN(cd.PublicToken, "1234567", code) }, 400, "VALIDATION_FAILED", "pin"},
			{"set a PIN with a space", func() *apptest.Response { return c.setPIN(cd.PublicToken, " 1234", code) }, 400, "VALIDATION_FAILED", "pin"},
			{"set a numeric PIN", func() *apptest.Response {
				return c.do(http.MethodPost, "/api/v1/card/"+cd.PublicToken+"/pin", map[string]any{"pin": 1234, "otp_code": code})
			}, 400, "VALIDATION_FAILED", "pin"},
			{"send for another user's card", func() *apptest.Response { return c.sendCode(otherCard.PublicToken, "card_pin_query") }, 403, "CARD_NOT_OWNED", ""},
			{"query another user's card", func() *apptest.Response { return c.getPIN(otherCard.PublicToken, code) }, 403, "CARD_NOT_OWNED", ""},
			{"set on another user's card", func() *apptest.Response { return c.setPIN(otherCard.PublicToken, "1234", code) }, 403, "CARD_NOT_OWNED", ""},
			{"send for an unknown card", func() *apptest.Response { return c.sendCode("100000001", "card_pin_query") }, 403, "CARD_NOT_OWNED", ""},
			{"query a non-numeric card", func() *apptest.Response { return c.getPIN("abc", code) }, 403, "CARD_NOT_OWNED", ""},
		}
		// The bearer check answers before the handler, in the standard body.
		for _, r := range []struct{ method, path string }{
			{http.MethodPost, "/pin/code/send"}, {http.MethodGet, "/pin?otp_code=" + code}, {http.MethodPost, "/pin"},
		} {
			h.Do(r.method, "/api/v1/card/"+cd.PublicToken+r.path, nil).Expect(t, 401, "UNAUTHORIZED")
		}
		for _, tc := range cases {
			fields := secExpectC(t, tc.res(), tc.status, tc.code)
			if _, ok := fields[tc.field]; tc.field != "" && !ok {
				t.Errorf("%s: fields %v lack %s", tc.name, fields, tc.field)
			}
		}
		// None of that touched the code.
		secOKC(t, c.setPIN(cd.PublicToken, "2468", code), "PIN set successfully")
		if n := len(secAudit(t, h, other.ID)); n != 0 {
			t.Fatalf("the other user's card has %d audit rows", n)
		}

		// Frozen account: reveals are reads, setting a PIN is a write.
		secExec(t, h, `UPDATE users SET status = 'frozen' WHERE id = $1`, acc.ID)
		h.Clock.Advance(time.Minute)
		query := c.code(t, cd.PublicToken, "card_pin_query")
		secOKC(t, c.getPIN(cd.PublicToken, query), "PIN retrieved successfully")
		c.cvv(cd.PublicToken).Expect(t, 200, "")
		secExpectC(t, c.sendCode(cd.PublicToken, "card_pin_activate"), 403, "ACCOUNT_FROZEN")
		secExpectC(t, c.setPIN(cd.PublicToken, "1357", "12345"), 403, "ACCOUNT_FROZEN")
		secExec(t, h, `UPDATE users SET status = 'active' WHERE id = $1`, acc.ID)

		// Cancelled card.
		h.Clock.Advance(time.Minute)
		pending := c.code(t, cd.PublicToken, "card_pin_query")
		secExec(t, h, `UPDATE cards SET status = 'cancelled' WHERE id = $1`, cd.ID)
		secExpectC(t, c.sendCode(cd.PublicToken, "card_pin_activate"), 400, "CARD_CANCELLED")
		secExpectC(t, c.getPIN(cd.PublicToken, pending), 400, "CARD_CANCELLED")
		secExpectC(t, c.setPIN(cd.PublicToken, "1357", pending), 400, "CARD_CANCELLED")
	})
}

// TestCardPINProduction: production mode (staging here: its behaviour on the
// simulators) never echoes the code; it arrives
// by e-mail only. Production has no sandbox routes for the card journey, so
// the card is seeded below the API.
func TestCardPINProduction(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.New(t, engine, apptest.Staging())
		acc := h.Register(t, "pin-prod@example.com")
		cd := secSeedCard(t, h, acc.ID)
		c := secAs(h, acc)
		mails := len(h.App.Outbox.To(acc.Email))
		d := secOKC(t, c.sendCode(cd.PublicToken, "card_pin_activate"), "OTP sent")
		if d.OTP != nil {
			t.Fatalf("production echoed the code: %+v", d)
		}
		code := h.Outbox(acc.Email, mails+1)[0].OTP
		secOKC(t, c.setPIN(cd.PublicToken, "8642", code), "PIN set successfully")
		secNoLeak(t, h, "8642", code)
	})
}

// secSeedCard issues a card at the simulated issuer and records it for
// userID directly in the database.
func secSeedCard(t *testing.T, h *apptest.Harness, userID int64) apptest.Card {
	t.Helper()
	ctx := context.Background()
	issued, err := h.App.IssuerSim.IssueCard(ctx, card.IssueRequest{Reference: fmt.Sprintf("seed-%d", userID), MemberName: "JOHN DOE"})
	if err != nil {
		t.Fatal(err)
	}
	var taskID, cardID int64
	if err := h.App.DB.SQL.QueryRowContext(ctx, `INSERT INTO card_tasks (user_id, kyc_id, physical, status, created_at, updated_at)
		VALUES ($1, 1, false, 'completed', 0, 0) RETURNING id`, userID).Scan(&taskID); err != nil {
		t.Fatal(err)
	}
	if err := h.App.DB.SQL.QueryRowContext(ctx, `INSERT INTO cards (user_id, task_id, public_token, masked_pan, status, is_physical, kyc_id, expiry, created_at, updated_at)
		VALUES ($1, $2, $3, $4, 'normal', false, 1, $5, 0, 0) RETURNING id`, userID, taskID, issued.PublicToken, issued.MaskedPAN,
		issued.Expiry.Format(time.DateTime)).Scan(&cardID); err != nil {
		t.Fatal(err)
	}
	return apptest.Card{ID: cardID, PublicToken: issued.PublicToken}
}
