package proptest

import (
	"database/sql"
	"errors"
	"strconv"

	"pgregory.net/rapid"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// The model: what each user of the sequence must hold, kept by the test
// independently of the services.
type user struct {
	id          int64
	email       string
	available   map[string]money.Amount // wallet, by currency
	held        map[string]money.Amount // withdrawal holds, by currency
	cards       []*cardModel
	kycApproved bool
	// feeWaiting is a completed virtual card fee payment no application used yet.
	feeWaiting bool
}

type cardModel struct {
	id     int64
	token  string
	owner  *user
	status card.Status
	// balance is the spendable HKD and hold the authorised, uncleared HKD on
	// the ledger; issuer is the balance at the issuer, lower than balance
	// while an expired hold has not been cleared or reversed there.
	balance, hold, issuer money.Amount
}

type withdrawal struct {
	id                int64
	user              *user
	currency, address string
	amount, fee       money.Amount
	status            wallet.WithdrawalStatus
}

type trade struct {
	id                int64
	card              *cardModel
	amount            money.Amount // authorised
	cleared, reversed money.Amount
	state             string // authorized, cleared, reversed, refunded, refund
	// expired: the platform released the hold after the hold TTL; the
	// issuer still holds it.
	expired bool
}

// cryptoCurrencies are the wallet currencies the sequences use: two tokens
// on two networks, so the per-currency sums are really per currency.
var cryptoCurrencies = []string{"USDT-TRC20", "USDC-ERC20"}

// machine is one sequence: its users, their withdrawals and card trades,
// and the events it may replay.
type machine struct {
	w           *world
	users       []*user
	withdrawals []*withdrawal
	trades      []*trade
	// events are delivered provider events (custody and issuer) that a
	// replay may deliver again.
	events []replayable
}

type replayable struct {
	provider, key string
	body          []byte
}

// unit is one whole unit of a 6-decimal stablecoin.
const unit = money.Amount(1_000_000)

func (m *machine) drawUser(t *rapid.T, label string) *user {
	return m.users[rapid.IntRange(0, len(m.users)-1).Draw(t, label)]
}

func drawCurrency(t *rapid.T) string { return rapid.SampledFrom(cryptoCurrencies).Draw(t, "currency") }

// expect fails the step unless err is want (nil: success). Expected
// refusals are compared by their API code.
func expect(t *rapid.T, op string, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Fatalf("%s: unexpected error %v", op, err)
	case want != nil && !errors.Is(err, want):
		t.Fatalf("%s: got %v, want %v", op, err, want)
	}
}

// refused records an operation that had to fail and checks it booked nothing.
func (m *machine) refused(t *rapid.T, op string, before int64) {
	t.Helper()
	if after := m.lastLedgerTx(t); after != before {
		t.Fatalf("%s was refused but booked ledger transactions %d..%d", op, before+1, after)
	}
	m.w.stats.refused[op]++
}

func (m *machine) lastLedgerTx(t *rapid.T) int64 {
	t.Helper()
	var id int64
	if err := m.w.a.DB.SQL.QueryRowContext(m.w.ctx, `SELECT COALESCE(MAX(id), 0) FROM ledger_transactions`).Scan(&id); err != nil {
		t.Fatalf("last ledger transaction: %v", err)
	}
	return id
}

var errValidation = apperr.New(apperr.CodeValidation)

// drawAmount draws an amount in [lo, hi]: mostly one that have covers, so
// that most steps move money, and sometimes any, which may be an overdraft
// the service must refuse. Shrinking leans towards covered amounts.
func drawAmount(t *rapid.T, label string, lo, hi, have money.Amount) money.Amount {
	if have >= lo && rapid.IntRange(0, 4).Draw(t, label+"_any") < 4 {
		hi = min(hi, have)
	}
	return money.Amount(rapid.Int64Range(int64(lo), int64(hi)).Draw(t, label))
}

// Deposit credits a completed on-chain deposit; one below the 1-unit
// minimum is recorded but credits nothing.
func (m *machine) Deposit(t *rapid.T) {
	u, cur := m.drawUser(t, "user"), m.w.currency(drawCurrency(t))
	amount := money.Amount(rapid.Int64Range(int64(unit), int64(1000*unit)).Draw(t, "amount"))
	if rapid.IntRange(0, 9).Draw(t, "below_minimum") == 9 {
		amount = money.Amount(rapid.Int64Range(1, int64(unit-1)).Draw(t, "small_amount"))
	}
	m.deposit(t, u, cur.Name, amount)
}

func (m *machine) deposit(t *rapid.T, u *user, cur string, amount money.Amount) {
	t.Helper()
	if amount == 0 {
		return
	}
	before := m.lastLedgerTx(t)
	key, body, err := m.w.deposit(u, m.w.currency(cur), amount)
	expect(t, "deposit", err, nil)
	m.events = append(m.events, replayable{"custody", key, body})
	if amount < unit {
		m.refused(t, "deposit below minimum", before)
		return
	}
	u.available[cur] += amount
	m.w.stats.ok["deposit"]++
}

// Transfer moves money between two users; more than the sender holds is
// refused with INSUFFICIENT_BALANCE.
func (m *machine) Transfer(t *rapid.T) {
	from, to := m.drawUser(t, "from"), m.drawUser(t, "to")
	if from == to {
		t.Skip("self transfer")
	}
	cur := m.w.currency(drawCurrency(t))
	amount := drawAmount(t, "amount", unit/100, 300*unit, from.available[cur.Name])
	var want error
	if amount > from.available[cur.Name] {
		want = ledger.ErrInsufficientBalance
	}
	before := m.lastLedgerTx(t)
	err := m.w.a.DB.InTx(m.w.ctx, func(tx *sql.Tx) error {
		_, err := m.w.a.Wallets.Transfer(m.w.ctx, tx, wallet.TransferInput{SenderID: from.id, RecipientID: to.id, Currency: cur,
			Amount: amount, TxPassword: txPassword, Description: "proptest"})
		return err
	})
	expect(t, "transfer", err, want)
	if want != nil {
		m.refused(t, "transfer overdraft", before)
		return
	}
	from.available[cur.Name] -= amount
	to.available[cur.Name] += amount
	m.w.stats.ok["transfer"]++
}

// RequestWithdrawal holds the gross amount; with auto-approval (sandbox
// mode) it is approved at once. An overdraft is refused.
func (m *machine) RequestWithdrawal(t *rapid.T) {
	u, cur := m.drawUser(t, "user"), m.w.currency(drawCurrency(t))
	amount := drawAmount(t, "units", 10, 300, u.available[cur.Name]/unit) * unit
	auto := rapid.Bool().Draw(t, "auto_approve")
	var want error
	if amount > u.available[cur.Name] {
		want = ledger.ErrInsufficientBalance
	}
	addr := externalAddress(cur.Network)
	m.w.a.Wallets.Limits.AutoApproveWithdrawals = auto
	before := m.lastLedgerTx(t)
	var wd wallet.Withdrawal
	err := m.w.a.DB.InTx(m.w.ctx, func(tx *sql.Tx) error {
		var err error
		wd, err = m.w.a.Wallets.RequestWithdrawal(m.w.ctx, tx, m.w.a.Jobs, wallet.WithdrawalInput{UserID: u.id, Currency: cur,
			Amount: amount, Address: addr, TxPassword: txPassword})
		return err
	})
	expect(t, "request withdrawal", err, want)
	if want != nil {
		m.refused(t, "withdrawal overdraft", before)
		return
	}
	status := wallet.WithdrawalPending
	if auto {
		status = wallet.WithdrawalApproved
	}
	if wd.Status != status {
		t.Fatalf("withdrawal %d is %s, want %s", wd.ID, wd.Status, status)
	}
	u.available[cur.Name] -= amount
	u.held[cur.Name] += amount
	m.withdrawals = append(m.withdrawals, &withdrawal{id: wd.ID, user: u, currency: cur.Name, address: addr, amount: amount,
		fee: wd.Fee, status: status})
	m.w.stats.ok["request withdrawal"]++
}

func (m *machine) drawWithdrawal(t *rapid.T, statuses ...wallet.WithdrawalStatus) *withdrawal {
	var open []*withdrawal
	for _, wd := range m.withdrawals {
		for _, s := range statuses {
			if wd.status == s {
				open = append(open, wd)
			}
		}
	}
	if len(open) == 0 {
		t.Skip("no withdrawal in " + strconv.Quote(string(statuses[0])))
	}
	return open[rapid.IntRange(0, len(open)-1).Draw(t, "withdrawal")]
}

// ApproveWithdrawal is the operator's approval of a pending withdrawal.
func (m *machine) ApproveWithdrawal(t *rapid.T) {
	wd := m.drawWithdrawal(t, wallet.WithdrawalPending)
	expect(t, "approve withdrawal", m.w.a.Wallets.ApproveWithdrawal(m.w.ctx, m.w.a.Jobs, wd.id), nil)
	wd.status = wallet.WithdrawalApproved
	m.w.stats.ok["approve withdrawal"]++
}

// RejectWithdrawal is the operator's rejection: the hold comes back.
func (m *machine) RejectWithdrawal(t *rapid.T) {
	wd := m.drawWithdrawal(t, wallet.WithdrawalPending)
	expect(t, "reject withdrawal", m.w.a.Wallets.RejectWithdrawal(m.w.ctx, wd.id, "proptest"), nil)
	m.release(wd, wallet.WithdrawalRejected)
	m.w.stats.ok["reject withdrawal"]++
}

// RejectSettledWithdrawal: an operator may reject only a pending
// withdrawal; anything else is refused and changes nothing.
func (m *machine) RejectSettledWithdrawal(t *rapid.T) {
	wd := m.drawWithdrawal(t, wallet.WithdrawalApproved, wallet.WithdrawalCompleted, wallet.WithdrawalRejected, wallet.WithdrawalFailed)
	before := m.lastLedgerTx(t)
	expect(t, "reject settled withdrawal", m.w.a.Wallets.RejectWithdrawal(m.w.ctx, wd.id, "proptest"), wallet.ErrWithdrawalState)
	m.refused(t, "reject non-pending withdrawal", before)
}

// SettleWithdrawal is the custody callback for an open withdrawal:
// completed on chain (the hold leaves the platform, the fee is revenue),
// rejected by custody or failed on chain (the hold comes back).
func (m *machine) SettleWithdrawal(t *rapid.T) {
	wd := m.drawWithdrawal(t, wallet.WithdrawalPending, wallet.WithdrawalApproved)
	status := rapid.SampledFrom([]int{2, 3, 4}).Draw(t, "custody_status")
	key, body, err := m.w.settleWithdrawal(wd, status)
	expect(t, "custody withdrawal callback", err, nil)
	m.events = append(m.events, replayable{"custody", key, body})
	switch status {
	case 3:
		wd.user.held[wd.currency] -= wd.amount
		wd.status = wallet.WithdrawalCompleted
		m.w.stats.ok["withdrawal completed"]++
	case 2:
		m.release(wd, wallet.WithdrawalRejected)
		m.w.stats.ok["withdrawal rejected by custody"]++
	default:
		m.release(wd, wallet.WithdrawalFailed)
		m.w.stats.ok["withdrawal failed"]++
	}
}

func (m *machine) release(wd *withdrawal, status wallet.WithdrawalStatus) {
	wd.user.held[wd.currency] -= wd.amount
	wd.user.available[wd.currency] += wd.amount
	wd.status = status
}

// ReplayEvent delivers a provider event again (custody or issuer): the
// inbox must take it as a duplicate and move no money.
func (m *machine) ReplayEvent(t *rapid.T) {
	if len(m.events) == 0 {
		t.Skip("no event yet")
	}
	ev := m.events[rapid.IntRange(0, len(m.events)-1).Draw(t, "event")]
	before := m.lastLedgerTx(t)
	var err error
	if ev.provider == "custody" {
		err = m.w.receiveCustody(ev.key, ev.body)
	} else {
		err = m.w.deliverIssuer(m.w.ctx, ev.body)
	}
	expect(t, "replay "+ev.provider+" event", err, nil)
	m.refused(t, "replayed event", before)
}
