package proptest

import (
	"database/sql"
	"errors"
	"time"

	"pgregory.net/rapid"

	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/cardfee"
	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/money"
	issuersandbox "github.com/comecomepay/comecomepay/internal/providers/issuer/sandbox"
	"github.com/comecomepay/comecomepay/internal/swap"
)

// maxCards is the harness's card slot limit (COMECOMEPAY_MAX_CARDS).
const maxCards = 5

// PayCardFee pays the virtual card fee 1:1 from a stablecoin. A second
// payment while one waits to be used, a full set of cards or a wallet that
// cannot cover it is refused.
func (m *machine) PayCardFee(t *rapid.T) {
	u, cur := m.drawUser(t, "user"), drawCurrency(t)
	amount := m.w.fee * 10_000 // USD cents → 6-decimal units
	var createWant, completeWant error
	switch {
	case u.feeWaiting:
		createWant = cardfee.ErrAlreadyPaid
	case u.openCards() >= maxCards:
		createWant = cardfee.ErrCardLimit
	case amount > u.available[cur]:
		completeWant = ledger.ErrInsufficientBalance
	}
	before := m.lastLedgerTx(t)
	var p cardfee.Payment
	err := m.w.a.DB.InTx(m.w.ctx, func(tx *sql.Tx) error {
		var err error
		p, err = m.w.a.CardFees.CreatePayment(m.w.ctx, tx, u.id, cardfee.Virtual, "")
		return err
	})
	expect(t, "create card fee payment", err, createWant)
	if createWant != nil {
		m.refused(t, "card fee not due", before)
		return
	}
	err = m.w.a.DB.InTx(m.w.ctx, func(tx *sql.Tx) error {
		_, err := m.w.a.CardFees.CompletePayment(m.w.ctx, tx, u.id, p.Ref, cur)
		return err
	})
	expect(t, "complete card fee payment", err, completeWant)
	if completeWant != nil {
		m.refused(t, "card fee overdraft", before)
		return
	}
	u.available[cur] -= amount
	u.feeWaiting = true
	m.w.stats.ok["card fee"]++
}

// OpenCard passes KYC (once per user) and applies for a virtual card with
// the waiting fee payment; issuance runs at once. Without a paid fee the
// application is refused.
func (m *machine) OpenCard(t *rapid.T) {
	u := m.drawUser(t, "user")
	if !u.feeWaiting {
		if !u.kycApproved {
			t.Skip("KYC needs a paid fee")
		}
		// The slots are counted before the fee is looked for.
		want := cardfee.ErrFeeUnpaid
		if u.openCards() >= maxCards {
			want = cardfee.ErrCardLimit
		}
		before := m.lastLedgerTx(t)
		_, err := m.w.applyForCard(u)
		expect(t, "apply without fee", err, want)
		m.refused(t, "card application without fee", before)
		return
	}
	m.openCard(t, u)
	m.w.stats.ok["open card"]++
}

func (m *machine) openCard(t *rapid.T, u *user) *cardModel {
	t.Helper()
	if !u.kycApproved {
		if err := m.w.approveKYC(u); err != nil {
			t.Fatalf("kyc: %v", err)
		}
	}
	c, err := m.w.applyForCard(u)
	if err != nil {
		t.Fatalf("open card: %v", err)
	}
	u.feeWaiting = false
	cm := &cardModel{id: c.ID, token: c.PublicToken, owner: u, status: card.StatusNormal}
	u.cards = append(u.cards, cm)
	return cm
}

func (m *machine) drawCard(t *rapid.T) *cardModel {
	var all []*cardModel
	for _, u := range m.users {
		all = append(all, u.cards...)
	}
	if len(all) == 0 {
		t.Skip("no card")
	}
	return all[rapid.IntRange(0, len(all)-1).Draw(t, "card")]
}

// SwapToCard tops a card up from the wallet at a quoted rate: the wallet
// pays the quote's amount, the card gets the net HKD after the fee.
func (m *machine) SwapToCard(t *rapid.T) {
	c := m.drawCard(t)
	cur := drawCurrency(t)
	amount := drawAmount(t, "amount", 2*unit, 300*unit, c.owner.available[cur])
	if rapid.IntRange(0, 9).Draw(t, "out_of_range") == 9 {
		amount = money.Amount(rapid.Int64Range(1, int64(unit)).Draw(t, "small_amount"))
	}
	m.swap(t, c, cur, "HKD", amount)
}

// SwapToWallet sells card HKD for a stablecoin into the wallet.
func (m *machine) SwapToWallet(t *rapid.T) {
	c := m.drawCard(t)
	cur := drawCurrency(t)
	amount := drawAmount(t, "hkd_cents", 5_000, 200_000, c.balance)
	if rapid.IntRange(0, 9).Draw(t, "out_of_range") == 9 {
		amount = money.Amount(rapid.Int64Range(1, 4_999).Draw(t, "small_cents"))
	}
	m.swap(t, c, "HKD", cur, amount)
}

func (m *machine) swap(t *rapid.T, c *cardModel, from, to string, amount money.Amount) {
	t.Helper()
	s, u := m.w.a.Swaps, c.owner
	pair, err := s.ParsePair(from, to)
	if err != nil {
		t.Fatalf("pair: %v", err)
	}
	before := m.lastLedgerTx(t)
	q, err := s.Preview(m.w.ctx, u.id, pair, amount)
	if errors.Is(err, errValidation) {
		// Out of the allowed range: the swap itself is refused too.
		_, err := s.Execute(m.w.ctx, swap.Input{UserID: u.id, Pair: pair, Amount: amount, CardID: c.id,
			IdempotencyKey: "prop-" + randomHex(8)})
		want := errValidation
		if c.status != card.StatusNormal {
			want = swap.ErrCardNotActive // the card is checked first
		}
		expect(t, "swap out of range", err, want)
		m.refused(t, "swap out of range", before)
		return
	}
	expect(t, "swap preview", err, nil)
	if q.FromAmount != amount || q.FeeAmount < 0 || q.NetAmount <= 0 {
		t.Fatalf("quote %+v for %d", q, amount)
	}
	have := u.available[from]
	if pair.Direction == swap.Withdraw {
		have = c.balance
	}
	var want error
	switch {
	case c.status != card.StatusNormal:
		want = swap.ErrCardNotActive
	case amount > have:
		want = ledger.ErrInsufficientBalance
	case pair.Direction == swap.Withdraw && amount > c.issuer:
		// An expired hold still held at the issuer: the swap asks the
		// issuer's spendable balance first and is refused before booking.
		want = card.ErrBalancePending
	}
	res, err := s.Execute(m.w.ctx, swap.Input{UserID: u.id, Pair: pair, Amount: amount, QuoteID: q.ID, CardID: c.id,
		IdempotencyKey: "prop-" + randomHex(8)})
	expect(t, "swap "+from+" → "+to, err, want)
	if errors.Is(want, card.ErrBalancePending) {
		m.refused(t, "swap of money the issuer still holds", before)
		return
	}
	if want != nil {
		m.refused(t, "swap overdraft", before)
		return
	}
	if res.Swap.Status != swap.StatusCompleted {
		t.Fatalf("swap %d is %s", res.Swap.ID, res.Swap.Status)
	}
	if pair.Direction == swap.Recharge {
		u.available[from] -= amount
		c.balance += q.NetAmount
		c.issuer += q.NetAmount
		m.w.stats.ok["swap to card"]++
	} else {
		c.balance -= amount
		c.issuer -= amount
		u.available[to] += q.NetAmount
		m.w.stats.ok["swap to wallet"]++
	}
}

// simulate runs a card transaction at the simulated issuer, whose event
// reaches the platform through the signed issuer webhook and the inbox.
func (m *machine) simulate(t *rapid.T, c *cardModel, tx issuersandbox.Transaction) issuersandbox.TransactionResult {
	t.Helper()
	res, err := m.w.a.IssuerSim.Simulate(m.w.ctx, c.token, tx)
	if err != nil {
		t.Fatalf("card %s transaction: %v", tx.Type, err)
	}
	m.events = append(m.events, replayable{provider: "issuer", body: m.w.lastIssuerEvent})
	return res
}

// Authorize is a purchase: the amount moves from the card's balance to its
// hold. One the card cannot cover is declined and moves nothing.
func (m *machine) Authorize(t *rapid.T) {
	c := m.drawCard(t)
	amount := drawAmount(t, "hkd_cents", 100, 150_000, c.issuer)
	before := m.lastLedgerTx(t)
	res := m.simulate(t, c, issuersandbox.Transaction{Type: issuersandbox.TxAuthorization, Amount: amount, MerchantName: "PROPTEST"})
	if amount > c.issuer || c.status != card.StatusNormal {
		m.refused(t, "authorization declined", before)
		return
	}
	c.balance -= amount
	c.hold += amount
	c.issuer -= amount
	m.trades = append(m.trades, &trade{id: res.TradeID, card: c, amount: amount, state: "authorized"})
	m.w.stats.ok["authorization"]++
}

func (m *machine) drawTrade(t *rapid.T, state string) *trade {
	var open []*trade
	for _, tr := range m.trades {
		if tr.state == state {
			open = append(open, tr)
		}
	}
	if len(open) == 0 {
		t.Skip("no " + state + " trade")
	}
	return open[rapid.IntRange(0, len(open)-1).Draw(t, "trade")]
}

// partOf draws the whole of amount or a part of it.
func partOf(t *rapid.T, amount money.Amount, label string) money.Amount {
	if rapid.Bool().Draw(t, label+"_whole") {
		return amount
	}
	return money.Amount(rapid.Int64Range(1, int64(amount)).Draw(t, label))
}

// Clear captures an authorisation, possibly for less: the rest returns to
// the card's balance.
func (m *machine) Clear(t *rapid.T) {
	tr := m.drawTrade(t, "authorized")
	c := tr.card
	amount := partOf(t, tr.amount, "clear_cents")
	if c.status != card.StatusCancelled && c.issuer > 0 && rapid.IntRange(0, 9).Draw(t, "over_clear") == 9 {
		// A clearing above the authorisation (a tip, an exchange rate)
		// takes the difference from the balance.
		amount = tr.amount + money.Amount(rapid.Int64Range(1, int64(c.issuer)).Draw(t, "over_cents"))
	}
	m.simulate(t, c, issuersandbox.Transaction{Type: issuersandbox.TxClearing, TradeID: tr.id, Amount: amount})
	c.issuer += tr.amount - amount
	switch {
	case !tr.expired:
		c.hold -= tr.amount
		m.credit(t, c, tr.amount-amount)
	case c.status != card.StatusCancelled:
		// The released hold was spendable again: the capture takes it.
		c.balance -= amount
	default:
		// Released and swept to the wallet before the capture came: the
		// ledger flags the trade for reconciliation and moves nothing.
		m.w.stats.refused["capture after expiry on a cancelled card"]++
	}
	tr.cleared, tr.state = amount, "cleared"
	m.w.stats.ok["clearing"]++
}

// Reverse releases an authorisation, wholly or in part.
func (m *machine) Reverse(t *rapid.T) {
	tr := m.drawTrade(t, "authorized")
	amount := partOf(t, tr.amount, "reversal_cents")
	m.simulate(t, tr.card, issuersandbox.Transaction{Type: issuersandbox.TxReversal, TradeID: tr.id, Amount: amount})
	tr.card.issuer += amount
	if !tr.expired { // an expired hold was released in full already
		tr.card.hold -= amount
		m.credit(t, tr.card, amount)
	}
	tr.reversed, tr.state = amount, "reversed"
	m.w.stats.ok["reversal"]++
}

// Refund returns a cleared purchase, wholly or in part, to the card.
func (m *machine) Refund(t *rapid.T) {
	tr := m.drawTrade(t, "cleared")
	amount := partOf(t, tr.cleared, "refund_cents")
	res := m.simulate(t, tr.card, issuersandbox.Transaction{Type: issuersandbox.TxRefund, TradeID: tr.id, Amount: amount})
	if tr.card.status != card.StatusCancelled { // the issuer keeps a closed card's refund
		tr.card.issuer += amount
	}
	m.credit(t, tr.card, amount)
	tr.state = "refunded"
	m.trades = append(m.trades, &trade{id: res.TradeID, card: tr.card, amount: amount, state: "refund"})
	m.w.stats.ok["refund"]++
}

// credit books delta (HKD, may be negative) to a card; money reaching a
// cancelled card goes on to the wallet's refund currency at the selling
// rate, rounded down.
func (m *machine) credit(t *rapid.T, c *cardModel, delta money.Amount) {
	t.Helper()
	if c.status != card.StatusCancelled {
		c.balance += delta
		return
	}
	if delta > 0 {
		c.owner.available[refundCurrency] += m.refund(t, delta)
	}
}

// refundCurrency is where a cancelled card's money goes (API.md §1.7).
const refundCurrency = "USDT-TRC20"

func (m *machine) refund(t *rapid.T, hkd money.Amount) money.Amount {
	t.Helper()
	rate, err := m.w.a.Wallets.HKDPerDollar(m.w.ctx, true)
	if err != nil {
		t.Fatalf("refund rate: %v", err)
	}
	return money.Divide(hkd, 2, rate, 6)
}

func (u *user) openCards() int {
	n := 0
	for _, c := range u.cards {
		if c.status != card.StatusCancelled {
			n++
		}
	}
	return n
}

// SetCardStatus freezes, unfreezes or cancels a card as its holder. A
// frozen card declines purchases and refuses swaps; cancelling returns its
// balance to the wallet, and whatever reaches it later (a clearing below
// the hold, a reversal, a refund) follows.
func (m *machine) SetCardStatus(t *rapid.T) {
	c := m.drawCard(t)
	code := rapid.SampledFrom([]card.IssuerCode{card.CodeFrozen, card.CodeActive, card.CodeCancelled}).Draw(t, "status_code")
	before := m.lastLedgerTx(t)
	_, err := m.w.a.Cards.SetStatus(m.w.ctx, c.owner.id, c.token, code)
	if c.status == card.StatusCancelled {
		expect(t, "change a cancelled card", err, card.ErrCardCancelled)
		m.refused(t, "status of a cancelled card", before)
		return
	}
	if code == card.CodeCancelled && c.balance > c.issuer {
		// The issuer still holds a hold the platform released on expiry,
		// so it cannot give back the ledger's balance: the cancellation is
		// refused (CARD_BALANCE_PENDING) until that authorisation settles.
		expect(t, "cancel with a hold the issuer still has", err, card.ErrBalancePending)
		m.refused(t, "cancel while the issuer holds an expired hold", before)
		return
	}
	expect(t, "card status "+string(code), err, nil)
	switch code {
	case card.CodeFrozen:
		c.status = card.StatusFrozen
	case card.CodeActive:
		c.status = card.StatusNormal
	default:
		c.owner.available[refundCurrency] += m.refund(t, c.balance)
		c.balance, c.issuer, c.status = 0, 0, card.StatusCancelled
	}
	m.w.stats.ok["card status "+string(code)]++
}

// ExpireHolds lets the hold TTL pass and runs the expiry job's code: every
// authorisation never cleared has its hold released as a full reversal, on
// the ledger only (the issuer keeps holding it until it clears or reverses
// there). A later clearing then takes the captured amount from the balance,
// and a later reversal moves nothing.
func (m *machine) ExpireHolds(t *rapid.T) {
	var open []*trade
	for _, tr := range m.trades {
		if !tr.expired && (tr.state == "authorized" || (tr.state == "reversed" && tr.reversed < tr.amount)) {
			open = append(open, tr)
		}
	}
	if len(open) == 0 {
		t.Skip("no hold to expire")
	}
	m.w.clock.Advance(card.DefaultHoldTTL + time.Hour)
	n, err := m.w.a.Cards.ExpireHolds(m.w.ctx)
	expect(t, "expire holds", err, nil)
	if n < len(open) {
		t.Fatalf("released %d holds, want at least %d", n, len(open))
	}
	for _, tr := range open {
		left := tr.amount - tr.reversed
		tr.card.hold -= left
		m.credit(t, tr.card, left)
		tr.expired = true
	}
	m.w.stats.ok["holds expired"] += len(open)
}
