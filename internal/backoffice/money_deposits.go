package backoffice

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// depositState is what a reviewer needs of a deposit (not its address).
type depositState struct {
	Status        wallet.DepositStatus `json:"status"`
	UserID        int64                `json:"user_id"`
	Currency      string               `json:"currency"`
	Amount        string               `json:"amount"`
	CustodyStatus int                  `json:"custody_status"`
	LedgerTxID    int64                `json:"ledger_tx_id"`
}

func stateOfDeposit(d wallet.Deposit) depositState {
	return depositState{Status: d.Status, UserID: d.UserID, Currency: d.Currency.Name, Amount: d.Amount.Format(d.Currency.Decimals),
		CustodyStatus: d.CustodyStatus, LedgerTxID: d.LedgerTxID}
}

// Deposits lists deposits, newest first (unmatched and below-minimum ones
// are the operators' queue).
func (s *Service) Deposits(ctx context.Context, f wallet.DepositFilter, limit, offset int) ([]wallet.Deposit, int, error) {
	return s.MoneyDeps.Wallets.ListDeposits(ctx, f, limit, offset)
}

// AssignDeposit attributes an unmatched deposit to a user. It moves no
// money (CreditDeposit does), so it needs no second operator.
func (s *Service) AssignDeposit(ctx context.Context, id, userID int64, reason string) (wallet.Deposit, error) {
	var d wallet.Deposit
	err := s.audited(ctx, audit.Entry{Action: "deposit.assign", TargetType: "deposit", TargetID: strconv.FormatInt(id, 10),
		Reason: strings.TrimSpace(reason)}, func(tx *sql.Tx) (any, any, error) {
		before, after, err := s.MoneyDeps.Wallets.AssignDepositTx(ctx, tx, id, userID)
		d = after
		return stateOfDeposit(before), stateOfDeposit(after), err
	})
	return d, err
}

// depositPayload is a four-eyes manual credit.
type depositPayload struct {
	DepositID int64 `json:"deposit_id"`
}

// CreditDeposit credits by hand a deposit custody confirmed but the
// callback could not credit (wallet.Deposit.Creditable). It is a manual
// credit: above the four-eyes threshold a second operator approves it. It
// credits once however often or concurrently it is asked: the deposit row
// is locked and its ledger reference is unique, so a repeat is INVALID_STATE.
func (s *Service) CreditDeposit(ctx context.Context, id int64, reason string) (wallet.Deposit, Outcome, error) {
	p := depositPayload{DepositID: id}
	return moneyOnRow(ctx, s, id, reason, s.MoneyDeps.Wallets.Deposit, wallet.Deposit.Creditable,
		func(d wallet.Deposit) MoneyAction {
			return MoneyAction{Kind: KindCreditDeposit, TargetType: "deposit", Currency: d.Currency.Name, Decimals: d.Currency.Decimals,
				Amount: d.Amount, Payload: p}
		},
		func(tx *sql.Tx) (any, any, error) { return s.creditDeposit(ctx, tx, p) })
}

func (s *Service) creditDeposit(ctx context.Context, tx *sql.Tx, p depositPayload) (any, any, error) {
	before, after, err := s.MoneyDeps.Wallets.CreditDepositTx(ctx, tx, p.DepositID)
	return stateOfDeposit(before), stateOfDeposit(after), err
}
