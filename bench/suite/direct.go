package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/comecomepay/comecomepay/bench/seed"
	"github.com/comecomepay/comecomepay/internal/store"
)

func tempDir() (string, error) { return os.MkdirTemp("", "ccp-bench-sqlite-") }

type directResult struct {
	rate float64
	note string
}

// directTransfers runs, without HTTP and without the service, the
// statements one transfer needs on the same SQLite file, in one
// transaction each, from 4 goroutines: read both users and the recipient's
// wallet, insert the transfer, find both accounts, move both balances
// (the sender's conditionally), book the ledger transaction and its two
// postings, link it, write both history rows, read the new balance and
// insert the recipient's notification. It is transcribed from
// wallet.Transfer and ledger.Post as they were when it was written (see
// docs/benchmarks.md): the statements a transfer cannot do without, so the
// ratio shows what the request path adds on top. The transaction-password
// hash is not part of it.
func directTransfers(ctx context.Context, dbURL string, rep seed.Report, d time.Duration) (directResult, error) {
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		return directResult{}, err
	}
	defer db.Close()
	first, n := rep.FirstUserID, rep.LastUserID-rep.FirstUserID+1
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var done, failed atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for range 4 {
		wg.Go(func() {
			for ctx.Err() == nil {
				from := first + rand.Int64N(n)
				to := first + (from-first+1+rand.Int64N(n-1))%n
				if err := directTransfer(ctx, db, from, to); err != nil {
					if ctx.Err() == nil {
						failed.Add(1)
						firstErr.CompareAndSwap(nil, err.Error())
					}
					continue
				}
				done.Add(1)
			}
		})
	}
	wg.Wait()
	res := directResult{rate: float64(done.Load()) / time.Since(start).Seconds(), note: "direct: 16 statements in one transaction"}
	if f := failed.Load(); f > 0 {
		res.note += fmt.Sprintf("; direct: %d failed (first: %v)", f, firstErr.Load())
	}
	return res, nil
}

func directTransfer(ctx context.Context, db *store.DB, from, to int64) error {
	tx, err := db.SQL.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	now, amount := time.Now().UnixMicro(), int64(10_000)
	var status, hash, wallet string
	if err := tx.QueryRowContext(ctx, `SELECT status, COALESCE(tx_password_hash, '') FROM users WHERE id = $1`, from).Scan(&status, &hash); err != nil {
		return fmt.Errorf("sender: %w", err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT u.status, w.wallet_id FROM users u JOIN wallets w ON w.user_id = u.id WHERE u.id = $1`, to).
		Scan(&status, &wallet); err != nil {
		return fmt.Errorf("recipient: %w", err)
	}
	var transferID, fromAcc, toAcc, ltx, balance int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO transfers (sender_id, recipient_id, currency, amount, description, ledger_tx_id, created_at)
		VALUES ($1, $2, $3, $4, '', 0, $5) RETURNING id`, from, to, seed.Currency, amount, now).Scan(&transferID); err != nil {
		return fmt.Errorf("transfer row: %w", err)
	}
	ref := fmt.Sprintf("TRF%d", transferID)
	account := `SELECT id FROM ledger_accounts WHERE owner_id = $1 AND name = 'available' AND currency = $2 AND shard = 0`
	if err := tx.QueryRowContext(ctx, account, from, seed.Currency).Scan(&fromAcc); err != nil {
		return err
	}
	if err := tx.QueryRowContext(ctx, account, to, seed.Currency).Scan(&toAcc); err != nil {
		return err
	}
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM ledger_transactions WHERE reference = $1)`, "transfer:"+ref).Scan(new(bool)); err != nil {
		return err
	}
	if err := tx.QueryRowContext(ctx, `INSERT INTO ledger_transactions (reference, kind, description, created_at) VALUES ($1, 'transfer', '', $2) RETURNING id`,
		"transfer:"+ref, now).Scan(&ltx); err != nil {
		return err
	}
	for _, p := range []struct{ acc, amount int64 }{{fromAcc, -amount}, {toAcc, amount}} {
		res, err := tx.ExecContext(ctx, `UPDATE ledger_accounts SET balance = balance + $1 WHERE id = $2 AND (may_go_negative OR balance + $1 >= 0)`, p.amount, p.acc)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("insufficient balance")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO ledger_postings (transaction_id, account_id, amount, created_at) VALUES ($1, $2, $3, $4)`,
			ltx, p.acc, p.amount, now); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE transfers SET ledger_tx_id = $1 WHERE id = $2`, ltx, transferID); err != nil {
		return err
	}
	for _, side := range []struct{ user, other, amount int64 }{{from, to, -amount}, {to, from, amount}} {
		if _, err := tx.ExecContext(ctx, `INSERT INTO unified_transactions (user_id, type, status, amount, currency, fee, description,
			address, tx_hash, reference, source_table, source_id, counterparty_user_id, created_at, completed_at)
			VALUES ($1, 'transfer', 'completed', $2, $3, 0, '', '', '', $4, 'transfers', $5, $6, $7, $7)`,
			side.user, side.amount, seed.Currency, ref, transferID, side.other, now); err != nil {
			return err
		}
	}
	if err := tx.QueryRowContext(ctx, `SELECT balance FROM ledger_accounts WHERE id = $1`, fromAcc).Scan(&balance); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO notifications (user_id, type, title, body, data, status, created_at, updated_at)
		VALUES ($1, 'transfer_received', 'Transfer received', 'You received 0.01 USDT', '{}', 'unread', $2, $2)`, to, now); err != nil {
		return err
	}
	return tx.Commit()
}
