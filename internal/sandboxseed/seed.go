// Package sandboxseed fills a sandbox database with a few users in every
// state an operator deals with — KYC under review, a withdrawal waiting for
// approval, an unmatched deposit, issued cards with purchases — so the
// console has something to show on first start (`comecomepay sandbox seed`).
//
// It goes through the public API and the sandbox helpers in-process, exactly
// as the mobile app and the sandbox providers would: every user, deposit,
// fee, KYC submission, card and purchase is made by the same services, with
// the same ledger postings, as in a real sandbox session.
package sandboxseed

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/app"
	"github.com/comecomepay/comecomepay/internal/config"
	"github.com/comecomepay/comecomepay/internal/kyc"
	"github.com/comecomepay/comecomepay/internal/providers/webhooksig"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// Password is the login password of every seeded user.
const Password = "Sandbox!Seed1"

// Emails of the seeded users.
const (
	WalletUser     = "seed.wallet@example.com"
	KYCUser        = "seed.kyc@example.com"
	WithdrawalUser = "seed.withdrawal@example.com"
	CardUser1      = "seed.card1@example.com"
	CardUser2      = "seed.card2@example.com"
)

// ErrNotSandbox refuses to seed anything but a sandbox-mode service.
var ErrNotSandbox = errors.New("sandbox seed: only in sandbox mode (COMECOMEPAY_MODE=sandbox)")

// unmatchedAddress is an address no user owns: a deposit to it is unmatched.
const unmatchedAddress = "TSeedUnmatchedDepositAddress00001"

// withdrawalAddress is an outside TRON address the seeded withdrawal goes to.
const withdrawalAddress = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"

// Seed fills a's database; it writes one line per step to out. Users that
// exist already are skipped, so running it twice does no harm. The job
// workers must run (card issuance and the KYC provider's webhook are jobs).
// A withdrawal stays pending only when the service does not approve every
// withdrawal by itself (config SandboxWithdrawalsWaitForOperator).
func Seed(ctx context.Context, a *app.App, out io.Writer) error {
	if a.Config.Mode != config.Sandbox {
		return ErrNotSandbox
	}
	s := &seeder{ctx: ctx, a: a, out: out}
	steps := []struct {
		email string
		fill  func(u user) error
	}{
		{WalletUser, s.wallet},
		{KYCUser, s.kycUnderReview},
		{WithdrawalUser, s.pendingWithdrawal},
		{CardUser1, s.cardHolder(3)},
		{CardUser2, s.cardHolder(1)},
	}
	for _, st := range steps {
		if _, err := a.Accounts.UserIDByEmail(ctx, st.email); err == nil {
			s.say("%s exists: skipped", st.email)
			continue
		} else if !errors.Is(err, account.ErrUserNotFound) {
			return err
		}
		u, err := s.register(st.email)
		if err != nil {
			return fmt.Errorf("sandbox seed: %s: %w", st.email, err)
		}
		if err := st.fill(u); err != nil {
			return fmt.Errorf("sandbox seed: %s: %w", st.email, err)
		}
	}
	return s.unmatchedDeposit()
}

type seeder struct {
	ctx context.Context
	a   *app.App
	out io.Writer
}

type user struct {
	ID     int64
	Email  string
	Access string
}

func (s *seeder) say(format string, args ...any) { fmt.Fprintf(s.out, format+"\n", args...) }

// call sends one request to the service in-process and decodes its JSON
// answer; a status other than 200 is an error carrying the body.
func (s *seeder) call(method, path string, body any, bearer string, headers ...string) (map[string]any, error) {
	var raw []byte
	switch b := body.(type) {
	case nil:
	case []byte:
		raw = b
	default:
		raw, _ = json.Marshal(b)
	}
	req, err := http.NewRequestWithContext(s.ctx, method, path, bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	req.RemoteAddr = "127.0.0.1:1"
	if raw != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	if tok := s.a.Config.SandboxToken; tok != "" {
		req.Header.Set("X-Sandbox-Token", tok)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := &recorder{header: http.Header{}, status: http.StatusOK}
	s.a.Handler.ServeHTTP(rec, req)
	var answer map[string]any
	dec := json.NewDecoder(bytes.NewReader(rec.body.Bytes()))
	dec.UseNumber()
	_ = dec.Decode(&answer)
	if rec.status != http.StatusOK {
		return answer, fmt.Errorf("%s %s: %d %s", method, path, rec.status, bytes.TrimSpace(rec.body.Bytes()))
	}
	return answer, nil
}

// recorder keeps an in-process answer.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(status int)      { r.status = status }
func (r *recorder) Write(p []byte) (int, error) { return r.body.Write(p) }

func str(m map[string]any, keys ...string) string {
	var v any = m
	for _, k := range keys {
		obj, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = obj[k]
	}
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	}
	return ""
}

// register signs a user up as the app does: signup, the e-mailed code
// (echoed in sandbox mode), password.
func (s *seeder) register(email string) (user, error) {
	res, err := s.call(http.MethodPost, "/api/v1/auth/signup", map[string]string{"email": email}, "")
	if err != nil {
		return user{}, err
	}
	if _, err := s.call(http.MethodPost, "/api/v1/auth/verify", map[string]string{"email": email, "otp_code": str(res, "otp")}, ""); err != nil {
		return user{}, err
	}
	res, err = s.call(http.MethodPost, "/api/v1/auth/set-password", map[string]string{"email": email, "password": Password}, "")
	if err != nil {
		return user{}, err
	}
	id, err := strconv.ParseInt(str(res, "user", "id"), 10, 64)
	if err != nil {
		return user{}, fmt.Errorf("set-password answered no user id: %v", res)
	}
	s.say("%s registered (user %d, password %s)", email, id, Password)
	return user{ID: id, Email: email, Access: str(res, "access_token")}, nil
}

func (s *seeder) deposit(u user, currency, amount string) error {
	_, err := s.call(http.MethodPost, "/api/v1/sandbox/deposits", map[string]any{"currency": currency, "amount": amount, "user_id": u.ID}, "")
	return err
}

func (s *seeder) wallet(u user) error {
	if err := s.deposit(u, "USDT-TRC20", "250"); err != nil {
		return err
	}
	if err := s.deposit(u, "USDC-ERC20", "80"); err != nil {
		return err
	}
	s.say("  deposited 250 USDT-TRC20 and 80 USDC-ERC20")
	return nil
}

// payCardFee pays the virtual card fee from the wallet, as the app does
// before KYC.
func (s *seeder) payCardFee(u user) error {
	if err := s.deposit(u, "USDT-TRC20", "20"); err != nil {
		return err
	}
	res, err := s.call(http.MethodPost, "/api/v1/CardFee/CreatePayment", map[string]string{"card_type": "virtual"}, u.Access)
	if err != nil {
		return err
	}
	_, err = s.call(http.MethodPost, "/api/v1/CardFee/CompletePayment/"+str(res, "payment", "transaction_ref"),
		map[string]string{"payment_currency": "USDT-TRC20"}, u.Access)
	return err
}

// submitKYC sends the identity form and returns the provider's session.
func (s *seeder) submitKYC(u user, first, last string) (string, error) {
	res, err := s.call(http.MethodPost, "/api/v1/didit/initialize-token", map[string]string{"first_en_name": first, "last_en_name": last,
		"bill_country_code": "hk", "area_code": "+852", "phone": "91234567", "address": "1 Queen's Road Central", "city": "Hong Kong",
		"post_code": "000000"}, u.Access)
	if err != nil {
		return "", err
	}
	return str(res, "verification_id"), nil
}

// kycUnderReview: the provider puts the user's identity under review (its
// signed "In Review" webhook), so the record waits for a decision.
func (s *seeder) kycUnderReview(u user) error {
	if err := s.payCardFee(u); err != nil {
		return err
	}
	session, err := s.submitKYC(u, "MEI", "CHAN")
	if err != nil {
		return err
	}
	rec, err := s.a.KYC.RecordBySession(s.ctx, session)
	if err != nil {
		return err
	}
	body, _ := json.Marshal(kyc.NewStatusEvent(session, rec.ID, kyc.DiditInReview, time.Now()))
	hdr, err := webhooksig.SignKYC(s.a.Config.KYCWebhookSecret, body)
	if err != nil {
		return err
	}
	if _, err := s.call(http.MethodPost, "/api/v1/webhooks/kyc", body, "", "X-Timestamp", hdr.Timestamp, "X-Signature", hdr.Signature); err != nil {
		return err
	}
	err = s.waitFor("the KYC record under review", func() (bool, error) {
		recs, _, err := s.a.KYC.Records(s.ctx, kyc.RecordFilter{UserID: u.ID}, 1, 0)
		return err == nil && len(recs) == 1 && recs[0].Status == kyc.StatusPending, err
	})
	if err == nil {
		s.say("  card fee paid, KYC under review")
	}
	return err
}

func (s *seeder) pendingWithdrawal(u user) error {
	if err := s.deposit(u, "USDT-TRC20", "120"); err != nil {
		return err
	}
	res, err := s.call(http.MethodPost, "/api/v1/wallet/withdrawal", map[string]any{"currency": "USDT-TRC20", "amount": "40",
		"address": withdrawalAddress}, u.Access)
	if err != nil {
		return err
	}
	st := str(res, "withdrawal", "status")
	if st != string(wallet.WithdrawalPending) {
		s.say("  deposited 120 USDT-TRC20, withdrew 40: %s (this service approves withdrawals by itself)", st)
		return nil
	}
	s.say("  deposited 120 USDT-TRC20, withdrawal of 40 waits for an operator")
	return nil
}

// cardHolder runs the card journey — fee, KYC approved on the sandbox
// provider's page, application, issuance — then tops the card up from the
// wallet and makes purchases (cleared, plus one still authorised).
func (s *seeder) cardHolder(purchases int) func(u user) error {
	return func(u user) error {
		if err := s.payCardFee(u); err != nil {
			return err
		}
		session, err := s.submitKYC(u, "JOHN", "DOE")
		if err != nil {
			return err
		}
		if _, err := s.call(http.MethodPost, "/api/v1/sandbox/kyc/sessions/"+session+"/approve", nil, ""); err != nil {
			return err
		}
		res, err := s.call(http.MethodPost, "/api/v1/card/apply", map[string]any{"physical": false}, u.Access)
		if err != nil {
			return err
		}
		task := str(res, "data", "task_id")
		var cardID, token string
		err = s.waitFor("card issuance", func() (bool, error) {
			res, err := s.call(http.MethodGet, "/api/v1/card/apply/progress/"+task, nil, u.Access)
			if err != nil {
				return false, err
			}
			switch str(res, "data", "status") {
			case "failed":
				return false, fmt.Errorf("card task %s failed: %v", task, res)
			case "completed":
				list, _ := res["data"].(map[string]any)["list"].([]any)
				if len(list) == 0 {
					return false, fmt.Errorf("card task %s completed without a card", task)
				}
				c, _ := list[0].(map[string]any)
				cardID, token = str(c, "card_id"), str(c, "public_token")
				return true, nil
			}
			return false, nil
		})
		if err != nil {
			return err
		}
		if err := s.deposit(u, "USDT-TRC20", "150"); err != nil {
			return err
		}
		id, _ := strconv.ParseInt(cardID, 10, 64)
		if _, err := s.call(http.MethodPost, "/api/v1/wallet/swap", map[string]any{"from_currency": "USDT-TRC20", "to_currency": "HKD",
			"amount": 100, "card_id": id}, u.Access); err != nil {
			return err
		}
		shops := []struct{ name, amount string }{{"CITY SUPER", "86.40"}, {"MTR", "12.00"}, {"PARKNSHOP", "148.25"}, {"CAFE DE CORAL", "54.00"}}
		for i := range purchases {
			auth, err := s.call(http.MethodPost, "/api/v1/sandbox/cards/"+token+"/transactions", map[string]any{"type": "authorization",
				"amount": shops[i%len(shops)].amount, "merchant_name": shops[i%len(shops)].name, "merchant_city": "Hong Kong"}, "")
			if err != nil {
				return err
			}
			if _, err := s.call(http.MethodPost, "/api/v1/sandbox/cards/"+token+"/transactions", map[string]any{"type": "clearing",
				"trade_id": json.Number(str(auth, "data", "trade_id"))}, ""); err != nil {
				return err
			}
		}
		last := shops[purchases%len(shops)]
		if _, err := s.call(http.MethodPost, "/api/v1/sandbox/cards/"+token+"/transactions", map[string]any{"type": "authorization",
			"amount": last.amount, "merchant_name": last.name, "merchant_city": "Hong Kong"}, ""); err != nil {
			return err
		}
		s.say("  card %s issued, topped up with 100 USDT-TRC20, %d purchase(s) cleared and 1 authorised", cardID, purchases)
		return nil
	}
}

// unmatchedDeposit sends a deposit to an address no user owns, unless an
// unmatched deposit waits already.
func (s *seeder) unmatchedDeposit() error {
	_, n, err := s.a.Wallets.ListDeposits(s.ctx, wallet.DepositFilter{Status: wallet.DepositUnmatched}, 0, 0)
	if err != nil {
		return err
	}
	if n > 0 {
		s.say("an unmatched deposit waits already: skipped")
		return nil
	}
	// The helper answers RECIPIENT_NOT_FOUND: the deposit is kept, unmatched.
	res, err := s.call(http.MethodPost, "/api/v1/sandbox/deposits", map[string]any{"currency": "USDT-TRC20", "amount": "75",
		"address": unmatchedAddress}, "")
	if err == nil || str(res, "code") != "RECIPIENT_NOT_FOUND" {
		return fmt.Errorf("sandbox seed: unmatched deposit: %v %v", res, err)
	}
	s.say("75 USDT-TRC20 deposited to %s, which no user owns: unmatched", unmatchedAddress)
	return nil
}

// waitFor polls done until it holds (jobs do the work) or 30 s pass.
func (s *seeder) waitFor(what string, done func() (bool, error)) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		ok, err := done()
		if err != nil || ok {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out waiting for %s (are the job workers running?)", what)
		}
		select {
		case <-s.ctx.Done():
			return s.ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
