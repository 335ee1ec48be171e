// Package seed fills a ComeComePay database with production-size data,
// straight into its tables in dependency order: users with wallets and
// sessions, ledger accounts, balanced ledger transactions whose postings sum
// to the stored balances, the wallet history, deposits and transfers,
// notifications, cards with their issuance tasks, trades and card
// transactions. PostgreSQL is loaded through COPY, SQLite through multi-row
// INSERTs. Ids are assigned here, after the largest existing id of each
// table, so a seed can be added to a database that already has data (the
// benchmark suite adds its own users to a seeded one).
package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/comecomepay/comecomepay/internal/store"
)

// Plan says how much to create. Every user gets a wallet, a session, a
// USDT-TRC20 account funded by one deposit, and sends TransfersPerUser
// transfers to the users after it (so it receives as many from the users
// before it and its balance ends at Deposit). Heavy users additionally send
// HeavyTransfers to each other, which gives each 2×HeavyTransfers history
// rows: enough for page 50 of the history to exist.
type Plan struct {
	Users                int
	TransfersPerUser     int
	NotificationsPerUser float64
	CardEvery            int // one card for every CardEvery-th user; 0 = none
	TradesPerCard        int
	HeavyUsers           int
	HeavyTransfers       int
	HeavyNotifications   int
	// Deposit is each user's opening deposit in minor units (6 decimals).
	Deposit int64
	// PasswordHash and TxPasswordHash are stored as they are on every user;
	// TxPasswordHash may be empty (no transaction password).
	PasswordHash   string
	TxPasswordHash string
	// Chunk is how many users are generated and loaded at a time (memory bound).
	Chunk int
}

// Currency is the one currency seeded accounts hold.
const Currency = "USDT-TRC20"

// TransferAmount is the amount of every seeded transfer (1 USDT).
const TransferAmount int64 = 1_000_000

// FromScale is the production-size plan times scale: 1 M users, 10 M ledger
// postings (one deposit and four transfers a user), 2 M notifications,
// 100 k cards with 10 trades each, and 100 heavy users with 1 100 history rows.
func FromScale(scale float64) Plan {
	users := max(10, int(1_000_000*scale))
	return Plan{
		Users: users, TransfersPerUser: 4, NotificationsPerUser: 2, CardEvery: 10, TradesPerCard: 10,
		HeavyUsers: max(2, int(100*scale)), HeavyTransfers: 550, HeavyNotifications: 60,
		Deposit: 1_000_000 * TransferAmount, PasswordHash: UnusablePasswordHash, Chunk: 20_000,
	}
}

// UnusablePasswordHash is stored as the login password of seeded users: no
// password verifies against it, so they sign in only through minted tokens.
const UnusablePasswordHash = "$argon2id$v=19$m=19456,t=2,p=1$c2VlZHNlZWRzZWVkc2VlZA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

// Report describes what was created.
type Report struct {
	FirstUserID, LastUserID int64 // inclusive range of the new users
	HeavyFirst, HeavyLast   int64 // the heavy users (a sub-range)
	Rows                    map[string]int64
	Took                    time.Duration
}

// SessionID is the id of the session row a seeded user has, for tokens
// minted outside the server.
func SessionID(userID int64) string { return fmt.Sprintf("seed-%d", userID) }

// Email is a seeded user's address.
func Email(userID int64) string { return fmt.Sprintf("u%d@seed.bench", userID) }

// Run migrates the database at url (so a fresh one works) and loads plan.
func Run(ctx context.Context, url string, plan Plan) (Report, error) {
	start := time.Now()
	db, err := store.Open(ctx, url)
	if err != nil {
		return Report{}, fmt.Errorf("seed: open: %w", err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return Report{}, fmt.Errorf("seed: migrate: %w", err)
	}
	sk, err := openSink(ctx, url, db.Engine, db)
	if err != nil {
		return Report{}, err
	}
	defer func() { _ = sk.close(ctx) }()
	g, err := newGenerator(ctx, sk, plan)
	if err != nil {
		return Report{}, err
	}
	if err := g.run(ctx); err != nil {
		return Report{}, err
	}
	if db.Engine == store.Postgres {
		if err := g.resetSequences(ctx); err != nil {
			return Report{}, err
		}
	}
	if err := sk.exec(ctx, "ANALYZE"); err != nil {
		return Report{}, fmt.Errorf("seed: analyze: %w", err)
	}
	rep := g.report()
	rep.Took = time.Since(start)
	return rep, nil
}
