package wallet

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/platform/secret"
	"github.com/comecomepay/comecomepay/internal/settings"
	"github.com/comecomepay/comecomepay/internal/store"
)

// TransferInput is a parsed transfer-by-uid request.
type TransferInput struct {
	SenderID    int64
	RecipientID int64
	Currency    Currency
	Amount      money.Amount
	TxPassword  string
	Description string
}

// TransferResult is what the sender sees.
type TransferResult struct {
	TransactionID     int64 // the sender's unified transaction id
	Currency          Currency
	Amount            money.Amount
	NewBalance        money.Amount
	RecipientID       int64
	RecipientWalletID string
}

// Transfer moves money between two users' wallets in the caller's
// transaction: one balanced ledger transaction, the transfer record and a
// history row for each side.
func (s *Service) Transfer(ctx context.Context, tx *sql.Tx, in TransferInput) (TransferResult, error) {
	if in.SenderID == in.RecipientID {
		return TransferResult{}, ErrSelfTransfer.WithDetails("Use another user's UID")
	}
	v, err := s.Settings.Current(ctx, tx)
	if err != nil {
		return TransferResult{}, fmt.Errorf("wallet: transfer from user %d: %w", in.SenderID, err)
	}
	lo, hi := settings.Units(v.TransferMin, in.Currency.Decimals), settings.Units(v.TransferMax, in.Currency.Decimals)
	if in.Amount < lo || in.Amount > hi {
		return TransferResult{}, amountOutOfRange("amount", lo, hi, in.Currency.Decimals)
	}
	res, err := s.transfer(ctx, tx, in)
	if err != nil {
		return TransferResult{}, fmt.Errorf("wallet: transfer from user %d to user %d: %w", in.SenderID, in.RecipientID, err)
	}
	return res, nil
}

// transfer is Transfer once the amounts are known valid; its errors get
// Transfer's context.
//
// Its statements are counted (docs/decisions.md, "Transfer round trips"):
// each read answers every question asked of its row. Locks are taken in
// the deactivation's order: the sender's user row, then the wallet rows
// (shared, which a deactivation's exclusive lock waits for), then the
// ledger accounts in id order.
func (s *Service) transfer(ctx context.Context, tx *sql.Tx, in TransferInput) (TransferResult, error) {
	payer, err := s.TxPasswords.LockPayer(ctx, tx, in.SenderID)
	if err != nil {
		return TransferResult{}, err
	}
	sender, recipient, err := s.walletsForTransfer(ctx, tx, in.SenderID, in.RecipientID)
	if err != nil {
		return TransferResult{}, err
	}
	// Read under the recipient's wallet lock, in its own statement, so a
	// deactivation that held the lock has committed and is seen
	// (CreditStatus has the reasoning).
	recipientStatus, recipientLang, err := s.Users.StatusAndLanguage(ctx, tx, in.RecipientID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && recipientStatus == account.StatusDeactivated) || recipient.UserID == 0 {
		return TransferResult{}, ErrRecipientNotFound.WithDetails("No active user has this UID")
	}
	if err != nil {
		return TransferResult{}, fmt.Errorf("recipient status: %w", err)
	}
	if sender.UserID == 0 {
		return TransferResult{}, fmt.Errorf("sender wallet: %w", store.ErrNotFound)
	}
	if sender.Status != "active" || recipient.Status != "active" {
		return TransferResult{}, ErrWalletNotActive
	}
	if err := payer.CheckTxPassword(ctx, tx, in.TxPassword); err != nil {
		return TransferResult{}, err
	}
	// The ledger transaction is booked first and the transfer row then
	// carries its id from its own insert: no placeholder to update. Its
	// reference therefore cannot name the transfer (transferLedgerRef).
	now := s.Now()
	senderAccount := ledger.UserAccount(in.SenderID, ledger.Available, in.Currency.Name)
	booked, err := s.Ledger.Book(ctx, tx, ledger.Transaction{Reference: transferLedgerRef(now), Kind: "transfer", Description: in.Description,
		Entries: []ledger.Entry{
			{Account: senderAccount, Amount: -in.Amount},
			{Account: ledger.UserAccount(in.RecipientID, ledger.Available, in.Currency.Name), Amount: in.Amount},
		}})
	if err != nil {
		return TransferResult{}, fmt.Errorf("book: %w", err)
	}
	transferID, senderRow, err := s.insertTransfer(ctx, tx, in, booked.ID, now)
	if err != nil {
		return TransferResult{}, err
	}
	ref := "TRF" + strconv.FormatInt(transferID, 10)
	res := TransferResult{TransactionID: senderRow, Currency: in.Currency, Amount: in.Amount, RecipientID: in.RecipientID,
		RecipientWalletID: recipient.WalletID}
	var ok bool
	if res.NewBalance, ok = booked.Balance(senderAccount); !ok {
		return TransferResult{}, fmt.Errorf("%s: sender balance missing from the booking", ref)
	}
	if err := s.notifyTransfer(ctx, tx, in.RecipientID, recipientLang, in.SenderID, in.Currency, in.Amount); err != nil {
		return TransferResult{}, fmt.Errorf("%s: %w", ref, err)
	}
	return res, nil
}

// transferLedgerRef is a transfer's ledger reference, made before its
// transfer row exists: "transfer:<micros>-<16 hex>". The 64 random bits make
// it unique (a clash would fail the transfer, never merge two); the time in
// front keeps new references at the end of the unique index, as the old
// "transfer:TRF<id>" did, instead of scattering them over it. The transfer
// is found from its ledger transaction by transfers.ledger_tx_id.
func transferLedgerRef(now time.Time) string {
	return "transfer:" + strconv.FormatInt(now.UnixMicro(), 10) + "-" + secret.Hex(8)
}

// walletsForTransfer reads both wallet rows in one statement, holding their
// shared locks for the rest of tx (see CreditStatus); a side without a
// wallet comes back with UserID 0.
func (s *Service) walletsForTransfer(ctx context.Context, tx *sql.Tx, senderID, recipientID int64) (sender, recipient record, err error) {
	rows, err := tx.QueryContext(ctx, `SELECT user_id, wallet_id, status, created_at FROM wallets WHERE user_id IN ($1, $2)
		ORDER BY user_id`+s.DB.ForShare(), senderID, recipientID)
	if err != nil {
		return record{}, record{}, fmt.Errorf("wallets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r record
		if err := rows.Scan(&r.UserID, &r.WalletID, &r.Status, store.TimeInto(&r.CreatedAt)); err != nil {
			return record{}, record{}, fmt.Errorf("wallets: %w", err)
		}
		if r.UserID == senderID {
			sender = r
		} else {
			recipient = r
		}
	}
	if err := rows.Err(); err != nil {
		return record{}, record{}, fmt.Errorf("wallets: %w", err)
	}
	return sender, recipient, nil
}
