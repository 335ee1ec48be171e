package wallet

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/comecomepay/comecomepay/internal/i18n"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/notification"
)

// Notifier creates in-app notifications in the caller's transaction.
type Notifier interface {
	Create(ctx context.Context, tx *sql.Tx, n notification.New) (int64, error)
}

// Notification types of the wallet (API.md §3.6).
const (
	NotifyDeposit          = notification.TypeDepositCredited
	NotifyWithdrawalStatus = notification.TypeWithdrawalStatus
	NotifyTransferReceived = notification.TypeTransferReceived
)

func (s *Service) notify(ctx context.Context, tx *sql.Tx, n notification.New) error {
	if _, err := s.Notifier.Create(ctx, tx, n); err != nil {
		return fmt.Errorf("notify %s: %w", n.Type, err)
	}
	return nil
}

func (s *Service) notifyDeposit(ctx context.Context, tx *sql.Tx, userID int64, cur Currency, amount money.Amount, txHash string) error {
	return s.notify(ctx, tx, notification.New{UserID: userID, Type: NotifyDeposit, Title: "Deposit received",
		Body: "%s %s was credited to your wallet.", Args: []any{amount.Format(cur.Decimals), cur.Name},
		Data: struct {
			Type     notification.Type `json:"type"`
			Currency string            `json:"currency"`
			Amount   string            `json:"amount"`
			TxHash   string            `json:"tx_hash"`
		}{NotifyDeposit, cur.Name, amount.Format(cur.Decimals), txHash}})
}

// withdrawalTitles are the notified withdrawal states and their titles.
var withdrawalTitles = map[WithdrawalStatus]string{WithdrawalApproved: "Withdrawal approved", WithdrawalCompleted: "Withdrawal completed",
	WithdrawalRejected: "Withdrawal rejected", WithdrawalFailed: "Withdrawal failed"}

var withdrawalBodies = map[WithdrawalStatus]string{WithdrawalApproved: "Your withdrawal of %s %s was approved and is being sent.",
	WithdrawalCompleted: "Your withdrawal of %s %s was completed.",
	WithdrawalRejected:  "Your withdrawal of %s %s was rejected; the amount and fee are back in your wallet.",
	WithdrawalFailed:    "Your withdrawal of %s %s failed; the amount and fee are back in your wallet."}

func (s *Service) notifyWithdrawal(ctx context.Context, tx *sql.Tx, id int64, status WithdrawalStatus) error {
	title, ok := withdrawalTitles[status]
	if !ok {
		return nil
	}
	w, err := s.withdrawalForUpdate(ctx, tx, id)
	if err != nil {
		return err
	}
	amount := w.Amount.Format(w.Currency.Decimals)
	return s.notify(ctx, tx, notification.New{UserID: w.UserID, Type: NotifyWithdrawalStatus, Title: title,
		Body: withdrawalBodies[status], Args: []any{amount, w.Currency.Name},
		Data: struct {
			Type         notification.Type `json:"type"`
			WithdrawalID int64             `json:"withdrawal_id"`
			Status       WithdrawalStatus  `json:"status"`
			Amount       string            `json:"amount"`
			Currency     string            `json:"currency"`
		}{NotifyWithdrawalStatus, id, status, amount, w.Currency.Name}})
}

func (s *Service) notifyTransfer(ctx context.Context, tx *sql.Tx, recipient int64, lang i18n.Lang, sender int64, cur Currency,
	amount money.Amount) error {
	return s.notify(ctx, tx, notification.New{UserID: recipient, Type: NotifyTransferReceived, Title: "Transfer received",
		Body: "You received %s %s.", Args: []any{amount.Format(cur.Decimals), cur.Name}, Lang: &lang,
		Data: struct {
			Type       notification.Type `json:"type"`
			Amount     string            `json:"amount"`
			Currency   string            `json:"currency"`
			FromUserID int64             `json:"from_user_id"`
		}{NotifyTransferReceived, amount.Format(cur.Decimals), cur.Name, sender}})
}
