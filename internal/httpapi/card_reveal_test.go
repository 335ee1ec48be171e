package httpapi_test

import (
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/providers/issuer/sandbox"
)

// revealed is a reveal's answer: envelope B plus the request id.
type revealed[T any] struct {
	apptest.EnvelopeB[T]
	RequestID string `json:"request_id"`
}

// TestCardReveal: CVV and full number of the caller's own card, with exact
// JSON types, no-store, an audit row per reveal without the values, and
// nothing in the logs.
func TestCardReveal(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc, cd := h.CardHolder(t, "reveal@example.com")
		secSetSimCVV(t, h, cd.PublicToken, "871")
		pan, cvv, expiry := secSim(t, h, cd.PublicToken)
		c := secAs(h, acc)

		res := c.cvv(cd.PublicToken).Expect(t, 200, "")
		cvvAnswer := apptest.Decode[revealed[struct {
			CVV          string `json:"cvv"`
			ResultStatus string `json:"result_status"`
		}]](t, res)
		if cvvAnswer.Status != "success" || cvvAnswer.Message != "CVV retrieved successfully" ||
			cvvAnswer.RequestID != res.Header.Get("X-Request-Id") || res.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("cvv envelope %v %s", res.Header, res.Body)
		}
		if d := cvvAnswer.Data; d.CVV != cvv || d.ResultStatus != "Success" {
			t.Fatalf("cvv data %+v", d)
		}

		res = c.fullNumber(cd.PublicToken).Expect(t, 200, "")
		full := apptest.Decode[revealed[struct {
			PublicToken string `json:"public_token"`
			CardNumber  string `json:"card_number"`
			CVV         string `json:"cvv"`
			CardExpiry  string `json:"card_expiry"`
		}]](t, res)
		if full.Message != "Full card number retrieved successfully" || res.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("full-number envelope %v %s", res.Header, res.Body)
		}
		d := full.Data
		at, _ := time.Parse(time.DateTime, expiry)
		if d.PublicToken != cd.PublicToken || d.CardNumber != pan || d.CVV != cvv || d.CardExpiry != at.Format("01/06") {
			t.Fatalf("full-number data %+v", d)
		}
		number := d.CardNumber
		if len(number) != 16 || !strings.HasPrefix(number, "424242") || !sandbox.LuhnValid(number) {
			t.Fatalf("card_number %q is not a 16-digit Luhn-valid test PAN", number)
		}
		if !regexp.MustCompile(`^(0[1-9]|1[0-2])/[0-9]{2}$`).MatchString(d.CardExpiry) {
			t.Fatalf("card_expiry %v is not MM/YY", d.CardExpiry)
		}

		audit := secAudit(t, h, acc.ID)
		if len(audit) != 2 || audit[0].Kind != "cvv" || audit[1].Kind != "full_number" {
			t.Fatalf("audit rows %+v", audit)
		}
		for _, r := range audit {
			if r.Outcome != "ok" || r.CardID != cd.ID || r.IP == "" || r.UserAgent != secUserAgent || r.Session == "" {
				t.Errorf("audit row %+v", r)
			}
			// The session id is random hex, which can contain any three
			// digits; only the PAN is long enough to check against it.
			if strings.Contains(r.Kind+r.Outcome+r.IP+r.UserAgent+r.Session, pan) ||
				strings.Contains(r.Kind+r.Outcome+r.IP+r.UserAgent, cvv) {
				t.Errorf("audit row %+v holds a secret", r)
			}
		}
		secNoLeak(t, h, pan, cvv, pan[len(pan)-10:])
	})
}

// TestCardRevealRefusals: input, ownership and card state are checked before
// the issuer is asked; a refused reveal is neither audited nor counted.
func TestCardRevealRefusals(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc, cd := h.CardHolder(t, "refusals@example.com")
		other, otherCard := h.CardHolder(t, "refusals-other@example.com")
		c := secAs(h, acc)
		cases := []struct {
			name   string
			do     func() *apptest.Response
			status int
			code   string
		}{
			{"cvv without public_token", func() *apptest.Response { return c.do(http.MethodGet, "/api/v1/card/cvv", nil) }, 400, "VALIDATION_FAILED"},
			{"full-number without body", func() *apptest.Response { return c.do(http.MethodPost, "/api/v1/card/full-number", nil) }, 400, "VALIDATION_FAILED"},
			{"full-number with a numeric token", func() *apptest.Response {
				return c.do(http.MethodPost, "/api/v1/card/full-number", `{"public_token":609659162}`)
			}, 400, "VALIDATION_FAILED"},
			{"cvv of an unknown card", func() *apptest.Response { return c.cvv("100000001") }, 404, "CARD_NOT_FOUND"},
			{"cvv of another user's card", func() *apptest.Response { return c.cvv(otherCard.PublicToken) }, 404, "CARD_NOT_FOUND"},
			{"full-number of another user's card", func() *apptest.Response { return c.fullNumber(otherCard.PublicToken) }, 404, "CARD_NOT_FOUND"},
			{"no token", func() *apptest.Response {
				return h.Do(http.MethodGet, "/api/v1/card/cvv?public_token="+cd.PublicToken, nil)
			}, 401, "UNAUTHORIZED"},
		}
		for _, tc := range cases {
			res := tc.do()
			secExpectB(t, res, tc.status, tc.code)
			if res.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("%s: Cache-Control %q", tc.name, res.Header.Get("Cache-Control"))
			}
		}
		if got := secAudit(t, h, acc.ID); len(got) != 0 {
			t.Fatalf("refused reveals were audited: %+v", got)
		}
		// The other user still reads their own card.
		secAs(h, other).cvv(otherCard.PublicToken).Expect(t, 200, "")

		secExec(t, h, `UPDATE cards SET status = 'cancelled' WHERE id = $1`, cd.ID)
		secExpectB(t, c.cvv(cd.PublicToken), 400, "CARD_CANCELLED")
		secExpectB(t, c.fullNumber(cd.PublicToken), 400, "CARD_CANCELLED")
	})
}

// TestCardRevealRateLimit: 20 reveals per user per sliding hour, counted in
// the database across CVV, full number and PIN queries; failed issuer calls
// do not count; the window slides.
func TestCardRevealRateLimit(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc, cd := h.CardHolder(t, "limit@example.com")
		other, otherCard := h.CardHolder(t, "limit-other@example.com")
		c := secAs(h, acc)
		// A failed reveal does not use up a slot.
		h.Do(http.MethodPost, "/api/v1/sandbox/issuer/failures", map[string]any{"operation": "reveal"}).Expect(t, 200, "")
		secExpectB(t, c.cvv(cd.PublicToken), 502, "ISSUER_UNAVAILABLE")
		for i := range 20 {
			if i == 10 {
				h.Clock.Advance(55 * time.Minute)
			}
			if i%2 == 0 {
				c.cvv(cd.PublicToken).Expect(t, 200, "")
			} else {
				c.fullNumber(cd.PublicToken).Expect(t, 200, "")
			}
		}
		res := c.cvv(cd.PublicToken)
		secExpectB(t, res, 429, "RATE_LIMITED")
		// The oldest ten reveals leave the window 5 minutes from now.
		if ra := apptest.Decode[apptest.ErrorBody](t, res).RetryAfter; ra == nil || *ra != 5*60 {
			t.Fatalf("retry_after %v, want 300", res.Body)
		}
		secExpectB(t, c.fullNumber(cd.PublicToken), 429, "RATE_LIMITED")
		// A PIN query is a reveal too: refused without using up its code.
		code := c.code(t, cd.PublicToken, "card_pin_query")
		secExpectC(t, c.getPIN(cd.PublicToken, code), 429, "RATE_LIMITED")
		// The limit is per user.
		secAs(h, other).cvv(otherCard.PublicToken).Expect(t, 200, "")

		h.Clock.Advance(5 * time.Minute)
		c.cvv(cd.PublicToken).Expect(t, 200, "")
		secOKC(t, c.getPIN(cd.PublicToken, code), "PIN retrieved successfully")
		audit := secAudit(t, h, acc.ID)
		if len(audit) != 23 || audit[0].Outcome != "failed" {
			t.Fatalf("audit: %d rows, first %+v (refusals must not be audited)", len(audit), audit[0])
		}
	})
}

// TestCardSecretsIssuerFailure: every secret call answers 502 when the
// issuer fails, in its family, and the audit records the failure.
func TestCardSecretsIssuerFailure(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc, cd := h.CardHolder(t, "issuer-down@example.com")
		c := secAs(h, acc)
		fail := func() {
			h.Do(http.MethodPost, "/api/v1/sandbox/issuer/failures", map[string]any{"operation": "reveal", "count": 1}).Expect(t, 200, "")
		}
		fail()
		secExpectB(t, c.cvv(cd.PublicToken), 502, "ISSUER_UNAVAILABLE")
		fail()
		secExpectB(t, c.fullNumber(cd.PublicToken), 502, "ISSUER_UNAVAILABLE")
		query := c.code(t, cd.PublicToken, "card_pin_query")
		fail()
		secExpectC(t, c.getPIN(cd.PublicToken, query), 502, "ISSUER_UNAVAILABLE")
		activate := c.code(t, cd.PublicToken, "card_pin_activate")
		fail()
		secExpectC(t, c.setPIN(cd.PublicToken, "4321", activate), 502, "ISSUER_UNAVAILABLE")
		// The codes were used up before the issuer call; a new one is sent at
		// once (a used code has no cooldown) and works.
		secExpectC(t, c.getPIN(cd.PublicToken, query), 400, "OTP_EXPIRED")
		secOKC(t, c.getPIN(cd.PublicToken, c.code(t, cd.PublicToken, "card_pin_query")), "PIN retrieved successfully")
		var outcomes []string
		for _, r := range secAudit(t, h, acc.ID) {
			outcomes = append(outcomes, r.Kind+":"+r.Outcome)
		}
		want := "cvv:failed full_number:failed pin_query:failed pin_set:failed pin_query:ok"
		if strings.Join(outcomes, " ") != want {
			t.Fatalf("audit %v, want %s", outcomes, want)
		}
	})
}

// TestCardRevealLimitUnderConcurrency: parallel reveals of one user never
// get past the limit (the count is taken under the user's row lock).
func TestCardRevealLimitUnderConcurrency(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc, cd := h.CardHolder(t, "limit-race@example.com")
		c := secAs(h, acc)
		var (
			wg     sync.WaitGroup
			mu     sync.Mutex
			status = map[int]int{}
		)
		for i := range 30 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var res *apptest.Response
				if i%2 == 0 {
					res = c.cvv(cd.PublicToken)
				} else {
					res = c.fullNumber(cd.PublicToken)
				}
				mu.Lock()
				status[res.Status]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if status[200] != 20 || status[429] != 10 {
			t.Fatalf("statuses %v, want twenty 200 and ten 429", status)
		}
	})
}
