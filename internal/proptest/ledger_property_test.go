package proptest

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/cardfee"
	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/store/storetest"
)

// SequencesEnv sets how many random sequences run per engine; the long run
// of issue 10 is COMECOMEPAY_PROPERTY_SEQUENCES=10000. rapid's own
// -rapid.checks (or RAPID_CHECKS) works too when this variable is unset.
const SequencesEnv = "COMECOMEPAY_PROPERTY_SEQUENCES"

// defaultSequences keeps the default `go test ./...` run to a few seconds
// per engine on a small machine.
const defaultSequences = 40

// TestLedgerInvariantsUnderRandomOperations runs random sequences of
// deposits, transfers, withdrawals (approved, rejected, completed, failed),
// card fee payments, card openings, swaps both ways, card events
// (authorisation, clearing, reversal, refund, through the issuer webhook
// path) and replayed provider events on the domain services, including
// operations that must be refused (overdrafts, declines, settled
// withdrawals), which must book nothing.
//
// After every step it checks that every account of the sequence's users
// (and each card's balance at the issuer) holds what an independent model
// says, and that the transactions booked since the last step each balance
// per currency and leave every account they touched equal to the sum of
// all its postings and, unless it is a house account, not negative. Since
// the book was verified whole before, that proves the whole book still
// sums to zero per currency after the step, at a cost that does not grow
// with the book. ledger.Verify (what `comecomepay ledger verify` runs)
// checks the whole book directly after every sequence, or in long runs
// after every hundredth of them, and at the end.
//
// One database per engine serves every sequence (each sequence registers
// fresh users), which keeps 10 000 sequences affordable.
func TestLedgerInvariantsUnderRandomOperations(t *testing.T) {
	sequences := setSequences(t)
	storetest.EachEngine(t, func(t *testing.T, engine store.Engine) {
		h := apptest.NewStopped(t, engine)
		ctx := context.Background()
		w, err := newWorld(ctx, h)
		if err != nil {
			t.Fatal(err)
		}
		w.verifyEvery = max(1, sequences/100)
		w.verifyAll(t)
		start := time.Now()
		rapid.Check(t, func(rt *rapid.T) { w.sequence(rt) })
		w.verifyAll(t)
		t.Logf("%s: %d sequences, %d steps in %v; whole-book verifications %d; succeeded %v; refused as expected %v; issuance retries %q",
			engine, w.stats.sequences, w.stats.steps, time.Since(start).Round(time.Millisecond), w.stats.verifications, w.stats.ok,
			w.stats.refused, w.stats.issueRetries)
	})
}

// setSequences applies SequencesEnv, or the modest default when neither it
// nor rapid's own setting is given, and returns the number in effect.
func setSequences(t *testing.T) int {
	n := os.Getenv(SequencesEnv)
	if n == "" {
		explicit := false
		flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "rapid.checks" })
		if _, env := os.LookupEnv("RAPID_CHECKS"); !explicit && !env {
			n = strconv.Itoa(defaultSequences)
		}
	}
	if n != "" {
		if v, err := strconv.Atoi(n); err != nil || v < 1 {
			t.Fatalf("%s=%q: want a positive number", SequencesEnv, n)
		}
		if err := flag.Set("rapid.checks", n); err != nil {
			t.Fatal(err)
		}
	}
	v, _ := strconv.Atoi(flag.Lookup("rapid.checks").Value.String())
	return v
}

// sequence is one rapid test case: two or three new users with some money
// in both stablecoins, the first with a card holding some HKD, then a
// random series of operations.
func (w *world) sequence(t *rapid.T) {
	m := &machine{w: w}
	for range rapid.IntRange(2, 3).Draw(t, "users") {
		u, err := w.register()
		if err != nil {
			t.Fatalf("register: %v", err)
		}
		m.users = append(m.users, u)
		for _, cur := range cryptoCurrencies {
			m.deposit(t, u, cur, money.Amount(rapid.Int64Range(0, 2000).Draw(t, "funds"))*unit)
		}
	}
	checks := w.stats.checks
	m.cardHolder(t, m.users[0])
	c := m.users[0].cards[0]
	if top := money.Amount(rapid.Int64Range(0, 200).Draw(t, "card_funds")) * unit; top >= 2*unit && top <= c.owner.available["USDT-TRC20"] {
		m.swap(t, c, "USDT-TRC20", "HKD", top)
	}
	t.Repeat(rapid.StateMachineActions(m))
	// Checks ran once after the setup, once before the first step and once
	// after each step.
	w.stats.steps += w.stats.checks - checks - 2
	w.stats.sequences++
	if w.stats.sequences%w.verifyEvery == 0 {
		report, err := w.a.Ledger.VerifySnapshot(w.ctx)
		if err != nil || !report.OK() {
			t.Fatalf("ledger verify after the sequence: %v\n%s", err, report)
		}
		w.stats.verifications++
	}
}

// cardHolder funds the fee, pays it and opens a card for u, keeping the
// model in step.
func (m *machine) cardHolder(t *rapid.T, u *user) {
	const cur = "USDT-TRC20"
	amount := m.w.fee * 10_000
	m.deposit(t, u, cur, max(amount, unit))
	err := m.w.a.DB.InTx(m.w.ctx, func(tx *sql.Tx) error {
		p, err := m.w.a.CardFees.CreatePayment(m.w.ctx, tx, u.id, cardfee.Virtual, "")
		if err != nil {
			return err
		}
		_, err = m.w.a.CardFees.CompletePayment(m.w.ctx, tx, u.id, p.Ref, cur)
		return err
	})
	if err != nil {
		t.Fatalf("pay card fee: %v", err)
	}
	u.available[cur] -= amount
	m.openCard(t, u)
	m.Check(t)
}

// Check is run by rapid before the first step and after every step.
func (m *machine) Check(t *rapid.T) {
	m.w.stats.checks++
	m.checkModel(t)
	m.w.checkNewTransactions(t)
	m.w.checkClearing(t)
}

// checkModel compares every account of the sequence's users, and each
// card's balance at the issuer, with the model.
func (m *machine) checkModel(t *rapid.T) {
	want := map[string]money.Amount{}
	ids := make([]string, 0, len(m.users))
	for _, u := range m.users {
		ids = append(ids, strconv.FormatInt(u.id, 10))
		for cur, a := range u.available {
			want[key(u.id, ledger.Available, cur)] = a
		}
		for cur, a := range u.held {
			want[key(u.id, ledger.WithdrawalHold, cur)] = a
		}
		for _, c := range u.cards {
			want[key(u.id, "card:"+strconv.FormatInt(c.id, 10), "HKD")] = c.balance
			want[key(u.id, "card_hold:"+strconv.FormatInt(c.id, 10), "HKD")] = c.hold
			if c.status == card.StatusCancelled {
				continue // the issuer keeps a closed card's late movements
			}
			var issuer int64
			if err := m.w.a.DB.SQL.QueryRowContext(m.w.ctx, `SELECT balance FROM sim_issuer_cards WHERE public_token = $1`, c.token).
				Scan(&issuer); err != nil {
				t.Fatalf("issuer balance: %v", err)
			}
			if money.Amount(issuer) != c.issuer {
				t.Fatalf("card %d: the issuer has %d, model %d", c.id, issuer, c.issuer)
			}
		}
	}
	for k, a := range want {
		if a < 0 {
			t.Fatalf("model: %s is negative (%d)", k, a)
		}
	}
	rows, err := m.w.a.DB.SQL.QueryContext(m.w.ctx, `SELECT owner_id, name, currency, balance FROM ledger_accounts
		WHERE owner_id IN (`+strings.Join(ids, ",")+`)`)
	if err != nil {
		t.Fatalf("user accounts: %v", err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	var problems []string
	for rows.Next() {
		var (
			owner          int64
			name, currency string
			balance        money.Amount
		)
		if err := rows.Scan(&owner, &name, &currency, &balance); err != nil {
			t.Fatalf("scan account: %v", err)
		}
		k := key(owner, name, currency)
		seen[k] = true
		if balance != want[k] {
			problems = append(problems, fmt.Sprintf("%s: ledger %d, model %d", k, balance, want[k]))
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("user accounts: %v", err)
	}
	for k, a := range want {
		if a != 0 && !seen[k] {
			problems = append(problems, fmt.Sprintf("%s: no ledger account, model %d", k, a))
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		t.Fatalf("ledger and model differ:\n%s", strings.Join(problems, "\n"))
	}
}

func key(owner int64, name, currency string) string {
	return strconv.FormatInt(owner, 10) + "/" + name + "/" + currency
}

// checkNewTransactions verifies the transactions booked since the last
// check: each balances per currency and has two postings or more, and
// every account they touched equals the sum of all its postings and, unless
// it is a house account, is not negative. Together with the whole-book
// Verify after each sequence this checks every transaction exactly, at a
// cost that does not grow with the book.
func (w *world) checkNewTransactions(t *rapid.T) {
	var last int64
	if err := w.a.DB.SQL.QueryRowContext(w.ctx, `SELECT COALESCE(MAX(id), 0) FROM ledger_transactions`).Scan(&last); err != nil {
		t.Fatalf("last transaction: %v", err)
	}
	if last == w.verified {
		return
	}
	checks := []struct{ query, format string }{
		{`SELECT p.transaction_id, a.currency, SUM(p.amount) FROM ledger_postings p JOIN ledger_accounts a ON a.id = p.account_id
			WHERE p.transaction_id > $1 AND p.transaction_id <= $2 GROUP BY p.transaction_id, a.currency HAVING SUM(p.amount) <> 0`,
			"transaction %v does not balance in %v (sum %v)"},
		{`SELECT t.id, t.reference, COUNT(p.id) FROM ledger_transactions t LEFT JOIN ledger_postings p ON p.transaction_id = t.id
			WHERE t.id > $1 AND t.id <= $2 GROUP BY t.id, t.reference HAVING COUNT(p.id) < 2`,
			"transaction %v (%v) has %v postings"},
		{`SELECT a.id, a.balance, (SELECT COALESCE(SUM(p.amount), 0) FROM ledger_postings p WHERE p.account_id = a.id) FROM ledger_accounts a
			WHERE a.id IN (SELECT account_id FROM ledger_postings WHERE transaction_id > $1 AND transaction_id <= $2)
			AND a.balance <> (SELECT COALESCE(SUM(p.amount), 0) FROM ledger_postings p WHERE p.account_id = a.id)`,
			"account %v has balance %v but its postings sum to %v"},
		{`SELECT a.id, a.owner_id, a.balance FROM ledger_accounts a WHERE NOT a.may_go_negative AND a.balance < 0
			AND a.id IN (SELECT account_id FROM ledger_postings WHERE transaction_id > $1 AND transaction_id <= $2)`,
			"account %v of user %v is negative (%v)"},
	}
	for _, c := range checks {
		if problems := w.rows(t, c.query, c.format, w.verified, last); len(problems) > 0 {
			t.Fatalf("ledger transactions %d..%d:\n%s", w.verified+1, last, strings.Join(problems, "\n"))
		}
	}
	w.verified = last
}

// checkClearing checks no swap is left half-way: the swap clearing
// accounts are empty between steps.
func (w *world) checkClearing(t *rapid.T) {
	if problems := w.rows(t, `SELECT name, currency, SUM(balance) FROM ledger_accounts WHERE owner_id = 0 AND name = 'swap_clearing'
		GROUP BY name, currency HAVING SUM(balance) <> 0`, "%v %v holds %v with no swap pending"); len(problems) > 0 {
		t.Fatalf("%s", strings.Join(problems, "\n"))
	}
}

func (w *world) rows(t *rapid.T, query, format string, args ...any) []string {
	rows, err := w.a.DB.SQL.QueryContext(w.ctx, query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a, b, c any
		if err := rows.Scan(&a, &b, &c); err != nil {
			t.Fatalf("scan: %v", err)
		}
		out = append(out, fmt.Sprintf(format, a, b, c))
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return out
}

// verifyAll runs the whole-book verification and moves the incremental
// checks' starting point to the end of the book.
func (w *world) verifyAll(t *testing.T) {
	var last int64
	if err := w.a.DB.SQL.QueryRowContext(w.ctx, `SELECT COALESCE(MAX(id), 0) FROM ledger_transactions`).Scan(&last); err != nil {
		t.Fatal(err)
	}
	report, err := w.a.Ledger.VerifySnapshot(w.ctx)
	if err != nil || !report.OK() {
		t.Fatalf("ledger verify: %v\n%s", err, report)
	}
	w.verified = max(w.verified, last)
	w.stats.verifications++
	t.Logf("%s", strings.TrimSpace(report.String()))
}
