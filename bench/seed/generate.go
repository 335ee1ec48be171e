package seed

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// generator assigns ids and writes the rows of a plan chunk by chunk. All
// user rows and accounts go first (pass one), so that the postings and
// transfers of pass two may reference any user of the plan.
type generator struct {
	sk   sink
	plan Plan
	now  time.Time

	// Largest existing id per table when the seed started.
	base map[string]int64
	// Next id to hand out per table (pass two runs sequentially).
	next map[string]int64

	custodyAccount int64
	t0             int64 // micros of the first event
	stepMicros     int64 // spacing between events
	eventSeq       int64
	rows           map[string]int64
}

// idTables are the tables whose ids the generator hands out, with their key column.
var idTables = map[string]string{
	"users": "id", "ledger_accounts": "id", "ledger_transactions": "id", "ledger_postings": "id",
	"unified_transactions": "id", "transfers": "id", "deposits": "id", "notifications": "id",
	"card_tasks": "id", "cards": "id", "card_transactions": "id", "card_trades": "trade_id", "card_fee_payments": "id",
}

func newGenerator(ctx context.Context, sk sink, plan Plan) (*generator, error) {
	if plan.Users < 2 {
		return nil, errors.New("seed: a plan needs at least two users")
	}
	if plan.HeavyUsers == 1 || plan.HeavyUsers > plan.Users {
		return nil, errors.New("seed: heavy users must be 0 or from 2 to the number of users")
	}
	if plan.Chunk <= 0 {
		plan.Chunk = 20_000
	}
	if plan.Deposit < int64(plan.TransfersPerUser+plan.HeavyTransfers)*TransferAmount {
		return nil, errors.New("seed: the deposit does not cover the transfers a user sends")
	}
	g := &generator{sk: sk, plan: plan, now: time.Now().UTC(), base: map[string]int64{}, next: map[string]int64{},
		rows: map[string]int64{}}
	// The house account first: its id comes from the identity, before the
	// ranges handed out below.
	var err error
	if g.custodyAccount, err = g.houseAccount(ctx, "custody"); err != nil {
		return nil, err
	}
	for table, col := range idTables {
		n, err := sk.queryInt(ctx, "SELECT COALESCE(MAX("+col+"), 0) FROM "+table)
		if err != nil {
			return nil, fmt.Errorf("seed: largest id of %s: %w", table, err)
		}
		g.base[table], g.next[table] = n, n+1
	}
	// Skip the ids pass one hands out.
	g.next["users"] += int64(plan.Users)
	g.next["ledger_accounts"] += int64(plan.Users)
	events := int64(plan.Users)*int64(1+plan.TransfersPerUser) + int64(plan.HeavyUsers)*int64(plan.HeavyTransfers)
	span := (360 * 24 * time.Hour).Microseconds()
	g.t0 = g.now.Add(-365 * 24 * time.Hour).UnixMicro()
	g.stepMicros = max(1, span/max(events, 1))
	return g, nil
}

// houseAccount finds or creates shard 0 of a house account in Currency.
func (g *generator) houseAccount(ctx context.Context, name string) (int64, error) {
	if err := g.sk.exec(ctx, `INSERT INTO ledger_accounts (owner_id, name, currency, shard, balance, may_go_negative, created_at)
		VALUES (0, $1, $2, 0, 0, TRUE, $3) ON CONFLICT (owner_id, name, currency, shard) DO NOTHING`,
		name, Currency, g.now.UnixMicro()); err != nil {
		return 0, fmt.Errorf("seed: create house account %s: %w", name, err)
	}
	id, err := g.sk.queryInt(ctx, `SELECT id FROM ledger_accounts WHERE owner_id = 0 AND name = $1 AND currency = $2 AND shard = 0`,
		name, Currency)
	if err != nil {
		return 0, fmt.Errorf("seed: find house account %s: %w", name, err)
	}
	return id, nil
}

func (g *generator) userID(i int) int64    { return g.base["users"] + 1 + int64(i) }
func (g *generator) accountID(i int) int64 { return g.base["ledger_accounts"] + 1 + int64(i) }
func (g *generator) heavy(i int) bool      { return i < g.plan.HeavyUsers }

func (g *generator) id(table string) int64 {
	n := g.next[table]
	g.next[table]++
	return n
}

// at returns the time of the next event, in micros; events are spread
// evenly over the past year in id order, as they would have happened.
func (g *generator) at() int64 {
	g.eventSeq++
	return g.t0 + g.eventSeq*g.stepMicros
}

func (g *generator) run(ctx context.Context) error {
	for start := 0; start < g.plan.Users; start += g.plan.Chunk {
		if err := g.loadUsers(ctx, start, min(start+g.plan.Chunk, g.plan.Users)); err != nil {
			return err
		}
	}
	for start := 0; start < g.plan.Users; start += g.plan.Chunk {
		if err := g.loadActivity(ctx, start, min(start+g.plan.Chunk, g.plan.Users)); err != nil {
			return err
		}
	}
	// Every user ends at Deposit (it receives as much as it sends); the
	// custody account holds the other side of all the deposits.
	if err := g.sk.exec(ctx, `UPDATE ledger_accounts SET balance = balance - $1 WHERE id = $2`,
		int64(g.plan.Users)*g.plan.Deposit, g.custodyAccount); err != nil {
		return fmt.Errorf("seed: custody balance: %w", err)
	}
	return nil
}

// loadUsers writes users [from, to): user rows, wallets, sessions, accounts.
func (g *generator) loadUsers(ctx context.Context, from, to int) error {
	var users, wallets, sessions, accounts [][]any
	created := g.t0
	for i := from; i < to; i++ {
		id := g.userID(i)
		var tx any
		if g.plan.TxPasswordHash != "" {
			tx = g.plan.TxPasswordHash
		}
		wallet := walletID(id, g.now)
		users = append(users, []any{id, Email(id), g.plan.PasswordHash, "personal", "active", referralCode(id), tx, created, created, "en", wallet})
		wallets = append(wallets, []any{id, wallet, "active", created})
		sessions = append(sessions, []any{SessionID(id), id, created, "127.0.0.1", "seed"})
		accounts = append(accounts, []any{g.accountID(i), id, "available", Currency, 0, g.plan.Deposit, false, created})
	}
	for _, l := range []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"users", []string{"id", "email", "password_hash", "account_type", "status", "referral_code", "tx_password_hash", "created_at", "updated_at", "language",
			"wallet_id"}, users},
		{"wallets", []string{"user_id", "wallet_id", "status", "created_at"}, wallets},
		{"sessions", []string{"id", "user_id", "created_at", "ip", "user_agent"}, sessions},
		{"ledger_accounts", []string{"id", "owner_id", "name", "currency", "shard", "balance", "may_go_negative", "created_at"}, accounts},
	} {
		if err := g.sk.load(ctx, l.table, l.cols, l.rows); err != nil {
			return err
		}
		g.rows[l.table] += int64(len(l.rows))
	}
	return nil
}

// referralCode is 8 characters [A-Z0-9], unique per id: "S" and the id in base 36.
func referralCode(id int64) string {
	s := strings.ToUpper(strconv.FormatInt(id, 36))
	return "S" + strings.Repeat("0", max(0, 7-len(s))) + s
}

// walletID follows the service's format: "CCP", the opening date, the id modulo 10^8.
func walletID(userID int64, opened time.Time) string {
	return fmt.Sprintf("CCP%s%08d", opened.UTC().Format("060102"), userID%100_000_000)
}

func (g *generator) report() Report {
	r := Report{FirstUserID: g.userID(0), LastUserID: g.userID(g.plan.Users - 1), Rows: g.rows}
	if g.plan.HeavyUsers > 0 {
		r.HeavyFirst, r.HeavyLast = g.userID(0), g.userID(g.plan.HeavyUsers-1)
	}
	return r
}

// resetSequences moves each identity past the ids the seed handed out, so
// the service's own inserts continue after them.
func (g *generator) resetSequences(ctx context.Context) error {
	for table, col := range idTables {
		if col != "id" {
			continue
		}
		if err := g.sk.exec(ctx, fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', 'id'), GREATEST((SELECT MAX(id) FROM %s), 1))`,
			table, table)); err != nil {
			return fmt.Errorf("seed: move the id sequence of %s: %w", table, err)
		}
	}
	return nil
}
