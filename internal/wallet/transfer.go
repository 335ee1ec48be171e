package wallet

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/money"
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
func (s *Service) transfer(ctx context.Context, tx *sql.Tx, in TransferInput) (TransferResult, error) {
	if err := s.Users.EnsureWritable(ctx, tx, in.SenderID); err != nil {
		return TransferResult{}, err
	}
	recipientStatus, err := s.Users.AccountStatus(ctx, tx, in.RecipientID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && recipientStatus == account.StatusDeactivated) {
		return TransferResult{}, ErrRecipientNotFound.WithDetails("No active user has this UID")
	}
	if err != nil {
		return TransferResult{}, fmt.Errorf("recipient status: %w", err)
	}
	sender, err := s.wallet(ctx, tx, in.SenderID)
	if err != nil {
		return TransferResult{}, fmt.Errorf("sender wallet: %w", err)
	}
	recipient, err := s.wallet(ctx, tx, in.RecipientID)
	if errors.Is(err, store.ErrNotFound) {
		return TransferResult{}, ErrRecipientNotFound.WithDetails("No active user has this UID")
	}
	if err != nil {
		return TransferResult{}, fmt.Errorf("recipient wallet: %w", err)
	}
	if sender.Status != "active" || recipient.Status != "active" {
		return TransferResult{}, ErrWalletNotActive
	}
	if err := s.TxPasswords.CheckTxPassword(ctx, tx, in.SenderID, in.TxPassword); err != nil {
		return TransferResult{}, err
	}
	// The status read above is a quick answer; this one, under the wallet
	// lock, is the one that counts: the recipient may have closed the
	// account while the password was checked.
	if recipientStatus, err = s.CreditStatus(ctx, tx, in.RecipientID); err != nil {
		return TransferResult{}, err
	}
	if recipientStatus == account.StatusDeactivated {
		return TransferResult{}, ErrRecipientNotFound.WithDetails("No active user has this UID")
	}
	var transferID int64
	// The transfer row comes first so its id can name the ledger transaction.
	if err := tx.QueryRowContext(ctx, `INSERT INTO transfers (sender_id, recipient_id, currency, amount, description, ledger_tx_id, created_at)
		VALUES ($1, $2, $3, $4, $5, 0, $6) RETURNING id`, in.SenderID, in.RecipientID, in.Currency.Name, int64(in.Amount),
		in.Description, store.At(s.Now())).Scan(&transferID); err != nil {
		return TransferResult{}, fmt.Errorf("insert: %w", err)
	}
	ref := "TRF" + strconv.FormatInt(transferID, 10)
	ledgerID, err := s.Ledger.Post(ctx, tx, ledger.Transaction{Reference: "transfer:" + ref, Kind: "transfer", Description: in.Description,
		Entries: []ledger.Entry{
			{Account: ledger.UserAccount(in.SenderID, ledger.Available, in.Currency.Name), Amount: -in.Amount},
			{Account: ledger.UserAccount(in.RecipientID, ledger.Available, in.Currency.Name), Amount: in.Amount},
		}})
	if err != nil {
		return TransferResult{}, fmt.Errorf("%s: book: %w", ref, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE transfers SET ledger_tx_id = $1 WHERE id = $2`, ledgerID, transferID); err != nil {
		return TransferResult{}, fmt.Errorf("%s: link ledger transaction: %w", ref, err)
	}
	res := TransferResult{Currency: in.Currency, Amount: in.Amount, RecipientID: in.RecipientID, RecipientWalletID: recipient.WalletID}
	for _, side := range []struct {
		user, counterparty int64
		amount             money.Amount
		id                 *int64
	}{{in.SenderID, in.RecipientID, -in.Amount, &res.TransactionID}, {in.RecipientID, in.SenderID, in.Amount, new(int64)}} {
		*side.id, err = s.RecordActivity(ctx, tx, Activity{UserID: side.user, Type: ActivityTransfer, Status: ActivityCompleted,
			Amount: side.amount, Currency: in.Currency.Name, Description: in.Description, Reference: ref, SourceTable: "transfers",
			SourceID: transferID, Counterparty: side.counterparty, Completed: true})
		if err != nil {
			return TransferResult{}, err
		}
	}
	if res.NewBalance, err = s.Ledger.Balance(ctx, tx, ledger.UserAccount(in.SenderID, ledger.Available, in.Currency.Name)); err != nil {
		return TransferResult{}, fmt.Errorf("%s: sender balance: %w", ref, err)
	}
	if err := s.notifyTransfer(ctx, tx, in.RecipientID, in.SenderID, in.Currency, in.Amount); err != nil {
		return TransferResult{}, fmt.Errorf("%s: %w", ref, err)
	}
	return res, nil
}
