package backoffice

import (
	"context"
	"time"

	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/kyc"
	"github.com/comecomepay/comecomepay/internal/ledger"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// The dashboard's reads: the size of each operators' queue and the money
// figures of the programme, each from the domain that owns it. Which of
// them an operator sees is the caller's decision (the console shows a
// figure only to the roles that may open its page).

// PendingKYCCount is how many KYC records wait for a decision (pending).
func (s *Service) PendingKYCCount(ctx context.Context) (int, error) {
	_, n, err := s.KYC.Records(ctx, kyc.RecordFilter{Status: kyc.StatusPending}, 0, 0)
	return n, err
}

// PendingWithdrawalCount is how many withdrawals wait for an operator.
func (s *Service) PendingWithdrawalCount(ctx context.Context) (int, error) {
	_, n, err := s.MoneyDeps.Wallets.ListWithdrawals(ctx, wallet.WithdrawalFilter{Status: wallet.WithdrawalPending}, 0, 0)
	return n, err
}

// UnmatchedDepositCount is how many deposits no user's address matched.
func (s *Service) UnmatchedDepositCount(ctx context.Context) (int, error) {
	_, n, err := s.MoneyDeps.Wallets.ListDeposits(ctx, wallet.DepositFilter{Status: wallet.DepositUnmatched}, 0, 0)
	return n, err
}

// FailedCardTaskCount is how many card issuance tasks failed.
func (s *Service) FailedCardTaskCount(ctx context.Context) (int, error) {
	_, n, err := s.CardDeps.Cards.AdminTasks(ctx, card.TaskFilter{Status: card.TaskFailed}, 0, 0)
	return n, err
}

// LastReconciliation is the newest reconciliation run; ok is false when
// none has run yet.
func (s *Service) LastReconciliation(ctx context.Context) (run card.ReconciliationRun, ok bool, err error) {
	runs, _, err := s.MoneyDeps.Cards.ReconciliationRuns(ctx, time.Time{}, time.Time{}, 1, 0)
	if err != nil || len(runs) == 0 {
		return card.ReconciliationRun{}, false, err
	}
	return runs[0], true, nil
}

// Holding is an amount of one currency held in some kind of account.
type Holding struct {
	Currency string
	Amount   money.Amount
	Decimals int
	// Owners is how many users hold such an account.
	Owners int
}

// Format is the amount as decimal text in its currency's decimals.
func (h Holding) Format() string { return h.Amount.Format(h.Decimals) }

// Holdings are the users' money by currency: their wallets (available and
// held for withdrawals) and their cards' balances (the card float: what the
// issuer must hold for the cards).
type Holdings struct {
	Wallets []Holding
	Cards   []Holding
}

// UserHoldings sums the users' ledger accounts per currency.
func (s *Service) UserHoldings(ctx context.Context) (Holdings, error) {
	totals, err := s.MoneyDeps.Ledger.Totals(ctx, s.DB.SQL)
	if err != nil {
		return Holdings{}, err
	}
	var h Holdings
	add := func(list []Holding, t ledger.Total) []Holding {
		for i := range list {
			if list[i].Currency == t.Currency {
				list[i].Amount += t.Balance
				list[i].Owners = max(list[i].Owners, t.Owners)
				return list
			}
		}
		return append(list, Holding{Currency: t.Currency, Amount: t.Balance, Decimals: s.Decimals(t.Currency), Owners: t.Owners})
	}
	for _, t := range totals {
		switch {
		case t.House:
		case t.Name == ledger.Available || t.Name == ledger.WithdrawalHold:
			h.Wallets = add(h.Wallets, t)
		case t.Name == card.LedgerKind:
			h.Cards = add(h.Cards, t)
		}
	}
	return h, nil
}

// DailyAmount is what was earned on one day.
type DailyAmount struct {
	Day    time.Time
	Amount money.Amount
}

// Income is one currency's fee income over the last days, one entry per
// day (zero on days without fees), oldest first.
type Income struct {
	Currency string
	Decimals int
	Days     []DailyAmount
}

// Total is the income of the last n days of the series.
func (in Income) Total(n int) money.Amount {
	var sum money.Amount
	for _, d := range in.Days[max(len(in.Days)-n, 0):] {
		sum += d.Amount
	}
	return sum
}

// FeeIncome is the platform's fee income (card fees, swap and withdrawal
// fees, net of refunds) per currency and day over the last `days` days up
// to today, with days cut at midnight in loc. Currencies without any fee
// in the period are left out.
func (s *Service) FeeIncome(ctx context.Context, days int, loc *time.Location) ([]Income, error) {
	now := s.Now().In(loc)
	first := time.Date(now.Year(), now.Month(), now.Day()-(days-1), 0, 0, 0, 0, loc)
	sums, err := s.MoneyDeps.Ledger.DailySums(ctx, s.DB.SQL, ledger.House, ledger.FeeIncome, first, now, loc)
	if err != nil {
		return nil, err
	}
	var out []Income
	for _, sum := range sums {
		if len(out) == 0 || out[len(out)-1].Currency != sum.Currency {
			in := Income{Currency: sum.Currency, Decimals: s.Decimals(sum.Currency), Days: make([]DailyAmount, days)}
			for i := range in.Days {
				in.Days[i].Day = first.AddDate(0, 0, i)
			}
			out = append(out, in)
		}
		in := &out[len(out)-1]
		for i := range in.Days {
			if in.Days[i].Day.Equal(sum.Day) {
				in.Days[i].Amount = sum.Amount
			}
		}
	}
	return out, nil
}
