package backoffice

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// withdrawalState is what a reviewer needs of a withdrawal: never its
// address (personal data of the user's counterparty).
type withdrawalState struct {
	Status   wallet.WithdrawalStatus `json:"status"`
	UserID   int64                   `json:"user_id"`
	Currency string                  `json:"currency"`
	Amount   string                  `json:"amount"`
	Fee      string                  `json:"fee"`
}

func stateOfWithdrawal(w wallet.Withdrawal) withdrawalState {
	return withdrawalState{Status: w.Status, UserID: w.UserID, Currency: w.Currency.Name,
		Amount: w.Amount.Format(w.Currency.Decimals), Fee: w.Fee.Format(w.Currency.Decimals)}
}

// Withdrawals lists withdrawals for review, newest first.
func (s *Service) Withdrawals(ctx context.Context, f wallet.WithdrawalFilter, limit, offset int) ([]wallet.Withdrawal, int, error) {
	return s.MoneyDeps.Wallets.ListWithdrawals(ctx, f, limit, offset)
}

// withdrawalPayload is a four-eyes withdrawal approval.
type withdrawalPayload struct {
	WithdrawalID int64 `json:"withdrawal_id"`
}

// ApproveWithdrawal approves a pending withdrawal and queues its submission
// to custody. Above the four-eyes threshold (its gross amount) it becomes
// a request for a second operator instead; the outcome says which.
// Approving a withdrawal that is no longer pending is INVALID_STATE, so a
// retried approval never submits twice.
func (s *Service) ApproveWithdrawal(ctx context.Context, id int64, reason string) (wallet.Withdrawal, Outcome, error) {
	p := withdrawalPayload{WithdrawalID: id}
	return moneyOnRow(ctx, s, id, reason, s.MoneyDeps.Wallets.Withdrawal, wallet.Withdrawal.Reviewable,
		func(w wallet.Withdrawal) MoneyAction {
			return MoneyAction{Kind: KindApproveWithdrawal, TargetType: "withdrawal", Currency: w.Currency.Name,
				Decimals: w.Currency.Decimals, Amount: w.Amount, Payload: p}
		},
		func(tx *sql.Tx) (any, any, error) { return s.approveWithdrawal(ctx, tx, p) })
}

func (s *Service) approveWithdrawal(ctx context.Context, tx *sql.Tx, p withdrawalPayload) (any, any, error) {
	before, after, err := s.MoneyDeps.Wallets.ApproveWithdrawalTx(ctx, tx, s.MoneyDeps.Jobs, p.WithdrawalID)
	return stateOfWithdrawal(before), stateOfWithdrawal(after), err
}

// RejectWithdrawal rejects a pending withdrawal: amount and fee go back to
// the user's balance. It returns the user's own held money, so it needs no
// second operator; a reason is required (the user is told the withdrawal
// was rejected).
func (s *Service) RejectWithdrawal(ctx context.Context, id int64, reason string) (wallet.Withdrawal, error) {
	if reason = strings.TrimSpace(reason); reason == "" {
		return wallet.Withdrawal{}, errReasonRequired
	}
	var w wallet.Withdrawal
	err := s.audited(ctx, audit.Entry{Action: "withdrawal.reject", TargetType: "withdrawal", TargetID: strconv.FormatInt(id, 10),
		Reason: reason}, func(tx *sql.Tx) (any, any, error) {
		before, after, err := s.MoneyDeps.Wallets.RejectWithdrawalTx(ctx, tx, id, reason)
		w = after
		return stateOfWithdrawal(before), stateOfWithdrawal(after), err
	})
	return w, err
}
