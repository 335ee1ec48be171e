package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/app"
	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/config"
	"github.com/comecomepay/comecomepay/internal/kyc"
	"github.com/comecomepay/comecomepay/internal/operator"
	"github.com/comecomepay/comecomepay/internal/providers/custody/udun/udunfake"
	"github.com/comecomepay/comecomepay/internal/providers/email/smtp/smtptest"
	issuerguard "github.com/comecomepay/comecomepay/internal/providers/issuer/guard"
	"github.com/comecomepay/comecomepay/internal/providers/kycprovider/didit/diditfake"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

// reviewingIssuer stands in for the card issuer, whose API is not public:
// the journey below reaches it only for its KYC review, which approves
// (pokepay_status 2). Any card call would hit the nil Port and fail the test.
type reviewingIssuer struct{ issuerguard.Port }

func (reviewingIssuer) ReviewKYC(context.Context, int64, kyc.Identity) (int, error) { return 2, nil }

const (
	udunKey     = "udun-test-key-3Jq8Zr1Lw6Xn"
	diditKey    = "didit-test-key-8Hs2Mv5Qp0Tc"
	kycSecret   = "wh_test_2Kx9Pq7Lr4Zm8Vn1"
	usdtTRC20   = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
	payoutTRON  = "TKzxdSv2FZKQrEqkKVgp5DcwEXBEKMg2Ax"
	workflowID  = "22222222-3333-4444-5555-666666666666"
	userEmail   = "prod-journey@example.com"
	userPasswd  = apptest.Password
	mailTimeout = 10 * time.Second
)

// TestProductionJourney runs COMECOMEPAY_MODE=production with the real
// adapters against fake providers built from their documented shapes: UDUN
// (custody), Didit (KYC) and an SMTP relay, on both engines. A user signs up
// with the e-mailed code, gets a deposit address made at UDUN, is credited by
// UDUN's signed callback, withdraws (an operator approves; UDUN receives the
// order once and reports it broadcast, then done), and passes KYC through a
// Didit session and Didit's signed webhook. The ledger verifies at the end.
func TestProductionJourney(t *testing.T) {
	t.Parallel()
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		custody := udunfake.New(t, udunKey, "300015")
		didit := diditfake.New(t, diditKey, kycSecret)
		relay := smtptest.Start(t, smtptest.Options{TLS: smtptest.Plain})
		h := apptest.NewWithOptions(t, engine, app.Options{Issuer: reviewingIssuer{}}, func(c *config.Config) {
			c.Mode = config.Production
			c.Providers = config.Providers{Custody: "udun", KYC: "didit", Issuer: config.SimulatorProvider}
			c.CustodyAPIKey = udunKey
			c.UDUN = config.UDUN{GatewayURL: custody.URL, MerchantID: "300015", ChainField: "coinType", Timeout: 5 * time.Second,
				CallbackURL: "https://api.ccp.example/api/v1/webhooks/custody"}
			c.KYCWebhookSecret = kycSecret
			c.Didit = config.Didit{BaseURL: didit.URL, APIKey: diditKey, WorkflowID: workflowID,
				CallbackURL: "https://app.ccp.example/kyc-done", Timeout: 5 * time.Second}
			c.SMTP = config.SMTP{Host: relay.Host, Port: relay.Port, From: "no-reply@ccp.example", TLS: config.SMTPNoTLS}
		})
		if h.App.Outbox != nil || h.App.IssuerFaults != nil {
			t.Fatal("production wired a simulator")
		}
		srv := httptest.NewServer(h.App.Handler)
		t.Cleanup(srv.Close)
		ctx := context.Background()

		// Sign-up: the codes arrive by e-mail only.
		h.Do(http.MethodPost, "/api/v1/auth/signup", map[string]string{"email": userEmail}).Expect(t, 200, "")
		h.Do(http.MethodPost, "/api/v1/auth/verify", map[string]string{"email": userEmail,
			"otp_code": mailedCode(t, relay, userEmail)}).Expect(t, 200, "")
		res := h.Do(http.MethodPost, "/api/v1/auth/set-password", map[string]string{"email": userEmail, "password": userPasswd}).Expect(t, 200, "")
		auth := apptest.Bearer(res.Str(t, "access_token"))

		// The deposit address is made at UDUN, once.
		address := walletAddress(t, h, auth, "USDT-TRC20")
		if made := custody.Addresses("195"); len(made) != 1 || made[0] != address {
			t.Fatalf("UDUN made %v, the wallet shows %q", made, address)
		}
		walletAddress(t, h, auth, "USDT-TRC20")
		if n := len(custody.Addresses("195")); n != 1 {
			t.Fatalf("a second wallet read made another address: %d", n)
		}

		// UDUN's deposit callback (100 USDT in base units) credits the user.
		callback := srv.URL + "/api/v1/webhooks/custody"
		if _, err := custody.Deposit(ctx, callback, address, usdtTRC20, "100000000", 3); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the deposit credited", func() bool { return balance(t, h, auth, "USDT-TRC20") == 100 })

		// A withdrawal waits for an operator, goes to UDUN once, and ends
		// completed through UDUN's callbacks.
		res = h.Do(http.MethodPost, "/api/v1/wallet/withdrawal", map[string]any{"currency": "USDT-TRC20", "amount": "20",
			"address": payoutTRON}, auth).Expect(t, 200, "")
		withdrawalID := int64(apptest.Decode[struct {
			Withdrawal struct {
				ID int64 `json:"id"`
			} `json:"withdrawal"`
		}](t, res).Withdrawal.ID)
		businessID := strconv.FormatInt(withdrawalID, 10)
		finance := h.Operator(t, "finance-prod@example.com", operator.Finance)
		h.Do(http.MethodPost, "/api/v1/admin/withdrawals/"+businessID+"/approve", map[string]any{"reason": "address checked"},
			apptest.Bearer(finance.Token)).Expect(t, 200, "")
		waitFor(t, "the order at UDUN", func() bool { return custody.Sent(businessID) == 1 })
		for _, status := range []int{1, 3} {
			if _, err := custody.SettleWithdrawal(ctx, callback, businessID, status); err != nil {
				t.Fatal(err)
			}
		}
		waitFor(t, "the withdrawal completed", func() bool { return withdrawalStatus(t, h, auth) == "completed" })
		if n := custody.Sent(businessID); n != 1 {
			t.Fatalf("UDUN received the order %d times", n)
		}

		// KYC: the card fee first, then a Didit session and its webhook.
		res = h.Do(http.MethodPost, "/api/v1/CardFee/CreatePayment", map[string]string{"card_type": "virtual"}, auth).Expect(t, 200, "")
		ref := apptest.Decode[apptest.FeePayment](t, res).Payment.TransactionRef
		h.Do(http.MethodPost, "/api/v1/CardFee/CompletePayment/"+ref, map[string]string{"payment_currency": "USDT-TRC20"}, auth).Expect(t, 200, "")
		res = h.Do(http.MethodPost, "/api/v1/didit/initialize-token", map[string]string{"first_en_name": "JOHN", "last_en_name": "DOE",
			"bill_country_code": "HK", "area_code": "852", "phone": "91234567", "address": "1 Queen's Road Central", "city": "Hong Kong",
			"post_code": "000000"}, auth).Expect(t, 200, "")
		session := res.Str(t, "verification_id")
		if _, ok := didit.Session(session); !ok {
			t.Fatalf("Didit has no session %s", session)
		}
		for _, status := range []string{"In Progress", "Approved"} {
			code, err := didit.Decide(ctx, srv.URL+"/api/v1/webhooks/kyc", session, status, nil)
			if err != nil || code != http.StatusOK {
				t.Fatalf("Didit %s webhook: %d %v", status, code, err)
			}
		}
		waitFor(t, "KYC verified", func() bool {
			res := h.Do(http.MethodGet, "/api/v1/didit/status", nil, auth).Expect(t, 200, "")
			return res.Str(t, "user_kyc_status") == "verified"
		})

		report, err := h.App.Ledger.Verify(ctx, h.App.DB.SQL)
		if err != nil || !report.OK() {
			t.Fatalf("ledger verify: %+v %v", report, err)
		}
	})
}

var codePattern = regexp.MustCompile(`\b\d{5,6}\b`)

// mailedCode is the one-time code of the next e-mail to addr.
func mailedCode(t *testing.T, relay *smtptest.Server, addr string) string {
	t.Helper()
	code := codePattern.FindString(relay.WaitFor(t, addr).Body)
	if code == "" {
		t.Fatalf("no code in the e-mail to %s", addr)
	}
	return code
}

type walletBalance struct {
	Currency string  `json:"currency"`
	Address  string  `json:"address"`
	Balance  float64 `json:"balance"`
}

func balances(t *testing.T, h *apptest.Harness, auth apptest.Header) []walletBalance {
	t.Helper()
	res := h.Do(http.MethodGet, "/api/v1/wallet/", nil, auth).Expect(t, 200, "")
	return apptest.Decode[struct {
		Wallet struct {
			Balances []walletBalance `json:"balances"`
		} `json:"wallet"`
	}](t, res).Wallet.Balances
}

func walletAddress(t *testing.T, h *apptest.Harness, auth apptest.Header, currency string) string {
	t.Helper()
	for _, b := range balances(t, h, auth) {
		if b.Currency == currency && b.Address != "" {
			return b.Address
		}
	}
	t.Fatalf("no %s address in the wallet", currency)
	return ""
}

func balance(t *testing.T, h *apptest.Harness, auth apptest.Header, currency string) float64 {
	t.Helper()
	for _, b := range balances(t, h, auth) {
		if b.Currency == currency {
			return b.Balance
		}
	}
	return -1
}

func withdrawalStatus(t *testing.T, h *apptest.Harness, auth apptest.Header) string {
	t.Helper()
	res := h.Do(http.MethodGet, "/api/v1/wallet/withdrawals?limit=1", nil, auth).Expect(t, 200, "")
	items := apptest.Decode[struct {
		Items []struct {
			Status string `json:"status"`
		} `json:"items"`
	}](t, res).Items
	if len(items) == 0 {
		return ""
	}
	return items[0].Status
}

func waitFor(t *testing.T, what string, done func() bool) {
	t.Helper()
	deadline := time.Now().Add(mailTimeout)
	for !done() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}
