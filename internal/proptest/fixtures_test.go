package proptest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/app"
	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/cardfee"
	"github.com/comecomepay/comecomepay/internal/chain"
	"github.com/comecomepay/comecomepay/internal/kyc"
	"github.com/comecomepay/comecomepay/internal/money"
	kycsandbox "github.com/comecomepay/comecomepay/internal/providers/kycprovider/sandbox"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// world is one running service per engine, shared by every sequence: each
// sequence registers its own users, so sequences never see each other's
// balances, while the ledger invariants are checked over the whole book.
type world struct {
	ctx   context.Context
	a     *app.App
	clock *apptest.Clock
	// deliverIssuer is the simulator's real webhook delivery; the test wraps
	// it to keep event bodies for replays.
	deliverIssuer func(ctx context.Context, body []byte) error
	// lastIssuerEvent is the body of the last issuer event delivered.
	lastIssuerEvent []byte
	// fee is the virtual card fee in USD cents.
	fee money.Amount
	// users counts registrations, for unique e-mail addresses.
	users int
	// verified is the id of the last ledger transaction checked.
	verified int64
	// verifyEvery is how many sequences run between whole-book checks.
	verifyEvery int
	stats       stats
}

// stats are the figures the test logs at the end of a run.
type stats struct {
	sequences, steps, checks, verifications int
	// issueRetries are the issuance errors a retry got past.
	issueRetries []string
	ok, refused  map[string]int
}

func newWorld(ctx context.Context, h *apptest.Harness) (*world, error) {
	w := &world{ctx: ctx, a: h.App, clock: h.Clock, deliverIssuer: h.App.IssuerSim.Deliver,
		stats: stats{ok: map[string]int{}, refused: map[string]int{}}}
	h.App.IssuerSim.Deliver = func(ctx context.Context, body []byte) error {
		w.lastIssuerEvent = body
		return w.deliverIssuer(ctx, body)
	}
	cfg, err := h.App.CardFees.Config(ctx, h.App.DB.SQL, cardfee.Virtual)
	if err != nil {
		return nil, fmt.Errorf("card fee config: %w", err)
	}
	w.fee = cfg.Effective()
	return w, nil
}

// txPassword is every test user's transaction password.
const txPassword = "135790"

// register creates an active user with a wallet and a transaction password
// through the account service, as the API would.
func (w *world) register() (*user, error) {
	w.users++
	email := "prop" + strconv.Itoa(w.users) + "@example.com"
	s := w.a.Accounts
	res, err := s.Signup(w.ctx, email, "")
	if err != nil {
		return nil, fmt.Errorf("signup: %w", err)
	}
	if _, err := s.VerifySignup(w.ctx, email, res.OTP, ""); err != nil {
		return nil, fmt.Errorf("verify signup: %w", err)
	}
	reg, err := s.SetPassword(w.ctx, email, apptest.Password, "", "127.0.0.1", "proptest")
	if err != nil {
		return nil, fmt.Errorf("set password: %w", err)
	}
	p := account.Principal{UserID: reg.Profile.ID, Email: email}
	req, err := s.RequestTxPassword(w.ctx, p, txPassword, txPassword)
	if err != nil {
		return nil, fmt.Errorf("request tx password: %w", err)
	}
	if err := s.CompleteTxPassword(w.ctx, p, req.OTP, req.TempHash); err != nil {
		return nil, fmt.Errorf("complete tx password: %w", err)
	}
	return &user{id: p.UserID, email: email, available: map[string]money.Amount{}, held: map[string]money.Amount{}}, nil
}

func (w *world) currency(name string) wallet.Currency {
	c, ok := w.a.Wallets.Currencies.Get(name)
	if !ok {
		panic("proptest: currency " + name + " is not enabled")
	}
	return c
}

// custodyEvent stores a custody callback in the webhook inbox and applies
// it, as the signed callback route does once the signature is checked. It
// returns the body and the key for replays.
func (w *world) custodyEvent(ev map[string]any) (string, []byte, error) {
	body, err := json.Marshal(ev)
	if err != nil {
		return "", nil, err
	}
	key := fmt.Sprintf("%v:%v", ev["tradeId"], ev["status"])
	return key, body, w.receiveCustody(key, body)
}

func (w *world) receiveCustody(key string, body []byte) error {
	id, _, err := w.a.Inbox.Receive(w.ctx, w.a.Jobs, "custody", key, body)
	if err != nil {
		return fmt.Errorf("custody inbox: %w", err)
	}
	return w.a.Inbox.Process(w.ctx, id)
}

// deposit reports a completed on-chain deposit of amount (minor units) to
// the user's address.
func (w *world) deposit(u *user, cur wallet.Currency, amount money.Amount) (string, []byte, error) {
	addr, err := w.a.Wallets.DepositAddress(w.ctx, u.id, cur.Network)
	if err != nil {
		return "", nil, fmt.Errorf("deposit address: %w", err)
	}
	return w.custodyEvent(map[string]any{
		"tradeId": "prop_dep_" + randomHex(12), "tradeType": 1, "address": addr,
		"mainCoinType": strconv.Itoa(cur.MainCoinType), "coinType": cur.CoinType, "amount": strconv.FormatInt(int64(amount), 10),
		"fee": "0", "decimals": cur.Decimals, "status": 3, "txId": "0x" + randomHex(32), "blockHigh": "1", "businessId": "", "memo": "",
	})
}

// settleWithdrawal reports the custody outcome of a withdrawal: 2 rejected,
// 3 completed on chain, 4 failed.
func (w *world) settleWithdrawal(wd *withdrawal, status int) (string, []byte, error) {
	cur := w.currency(wd.currency)
	id := strconv.FormatInt(wd.id, 10)
	txID := ""
	if status == 3 {
		txID = "0x" + randomHex(32)
	}
	return w.custodyEvent(map[string]any{
		"tradeId": "prop_wd_" + id, "tradeType": 2, "address": wd.address,
		"mainCoinType": strconv.Itoa(cur.MainCoinType), "coinType": cur.CoinType,
		"amount": strconv.FormatInt(int64(wd.amount-wd.fee), 10), "fee": "0", "decimals": cur.Decimals,
		"status": status, "txId": txID, "blockHigh": "1", "businessId": id, "memo": "",
	})
}

// externalAddress is a well-formed address no user owns.
func externalAddress(network chain.Network) string {
	var k [20]byte
	_, _ = rand.Read(k[:])
	return chain.AddressFromKey(network, k)
}

// approveKYC takes a user through KYC once: the provider session, the
// provider's approval and the issuer's review (sandbox: approved).
func (w *world) approveKYC(u *user) error {
	rec, err := w.a.KYC.Initialize(w.ctx, kyc.InitInput{UserID: u.id, Email: u.email, Identity: kyc.Identity{FirstName: "PROP",
		LastName: "TEST", BillCountry: "HK", AreaCode: "+852", Phone: "91234567", Address: "1 Queen's Road Central", City: "Hong Kong",
		PostCode: "000000"}})
	if err != nil {
		return fmt.Errorf("kyc initialize: %w", err)
	}
	if err := w.a.DB.InTx(w.ctx, func(tx *sql.Tx) error {
		outcome, _ := kyc.OutcomeOf("Approved", nil)
		_, _, _, err := w.a.KYC.ApplyProviderOutcome(w.ctx, tx, rec.SessionID, "", outcome)
		return err
	}); err != nil {
		return fmt.Errorf("kyc decision: %w", err)
	}
	got, err := w.a.KYC.Review(w.ctx, kycsandbox.Issuer{}, rec.ID)
	if err != nil {
		return fmt.Errorf("kyc review: %w", err)
	}
	if got.Status != kyc.StatusApproved {
		return fmt.Errorf("kyc review ended %s", got.Status)
	}
	u.kycApproved = true
	return nil
}

// applyForCard files a virtual card application and runs its issuance
// synchronously (the job's own code), returning the new card.
func (w *world) applyForCard(u *user) (card.Card, error) {
	var applied card.Applied
	err := w.a.DB.InTx(w.ctx, func(tx *sql.Tx) error {
		var err error
		applied, err = w.a.Cards.Apply(w.ctx, tx, w.a.Jobs, card.ApplyInput{UserID: u.id})
		return err
	})
	if err != nil {
		return card.Card{}, err
	}
	// The issuance job is retried by the queue; so is it here.
	for attempt := 1; ; attempt++ {
		err := w.a.Cards.Issue(w.ctx, applied.TaskID)
		if err == nil {
			break
		}
		if attempt == 3 {
			return card.Card{}, fmt.Errorf("issue: %w", err)
		}
		w.stats.issueRetries = append(w.stats.issueRetries, err.Error())
	}
	cards, err := w.a.Cards.List(w.ctx, u.id, false)
	if err != nil {
		return card.Card{}, err
	}
	for _, c := range cards {
		if c.TaskID == applied.TaskID {
			return c, nil
		}
	}
	return card.Card{}, fmt.Errorf("task %d completed without a card", applied.TaskID)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x", b)
}
