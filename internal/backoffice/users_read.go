package backoffice

import (
	"context"
	"errors"
	"fmt"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/kyc"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// Reads of users for operators: no audit row (they change nothing) and no
// personal data beyond the e-mail and a masked phone; the rest comes only
// through the audited reveal (RevealPersonalData).

// UserRow is a user in the operators' list.
type UserRow struct {
	account.UserSummary
	WalletID  string
	KYCStatus kyc.UserStatus
}

// SearchUsers finds users by e-mail prefix, user id, wallet id or phone
// digits (one text, tried as each), newest first.
func (s *Service) SearchUsers(ctx context.Context, text string, status account.Status, page, size int) ([]UserRow, int, error) {
	q := account.NewUserQuery(text)
	q.Status = status
	// A wallet id belongs to the wallet: it names its owner.
	if walletID, ok := wallet.ParseWalletID(text); ok {
		owner, err := s.UserDeps.Wallets.OwnerOf(ctx, s.DB.SQL, walletID)
		switch {
		case err == nil:
			q.IDs = append(q.IDs, owner)
		case !errors.Is(err, store.ErrNotFound):
			return nil, 0, fmt.Errorf("backoffice: search users: %w", err)
		}
	}
	found, total, err := s.Accounts.SearchUsers(ctx, q, size, (page-1)*size)
	if err != nil {
		return nil, 0, fmt.Errorf("backoffice: search users: %w", err)
	}
	rows := make([]UserRow, 0, len(found))
	for _, u := range found {
		row := UserRow{UserSummary: u}
		if row.WalletID, err = s.walletID(ctx, u.ID); err != nil {
			return nil, 0, fmt.Errorf("backoffice: search users: %w", err)
		}
		if row.KYCStatus, _, err = s.KYC.UserKYC(ctx, s.DB.SQL, u.ID); err != nil {
			return nil, 0, fmt.Errorf("backoffice: search users: %w", err)
		}
		rows = append(rows, row)
	}
	return rows, total, nil
}

// walletID is the user's public wallet id, "" when the user has none.
func (s *Service) walletID(ctx context.Context, userID int64) (string, error) {
	id, err := s.UserDeps.Wallets.WalletID(ctx, s.DB.SQL, userID)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	return id, err
}

// UserDetail is everything an operator sees of a user without a reveal.
type UserDetail struct {
	Account   account.AccountView
	WalletID  string
	KYCStatus kyc.UserStatus
	KYCLevel  int
	LatestKYC *kyc.Record
	Balances  []wallet.UserBalance
	Cards     []card.Card
	Sessions  []account.ActiveSession
	Overrides account.Overrides
	// History is one page of the user's wallet activity, newest first.
	History      []wallet.HistoryItem
	HistoryTotal int
}

// UserDetail gathers a user's account, KYC, balances, cards, sessions,
// overrides and a page of history.
func (s *Service) UserDetail(ctx context.Context, userID int64, historyPage, historySize int) (UserDetail, error) {
	var (
		d   UserDetail
		err error
	)
	fail := func(err error) (UserDetail, error) {
		return UserDetail{}, fmt.Errorf("backoffice: user %d: %w", userID, err)
	}
	if d.Account, err = s.Accounts.AccountView(ctx, userID); err != nil {
		return fail(err)
	}
	if d.WalletID, err = s.walletID(ctx, userID); err != nil {
		return fail(err)
	}
	if d.KYCStatus, d.KYCLevel, err = s.KYC.UserKYC(ctx, s.DB.SQL, userID); err != nil {
		return fail(err)
	}
	latest, ok, err := s.KYC.Latest(ctx, s.DB.SQL, userID)
	if err != nil {
		return fail(err)
	}
	if ok {
		d.LatestKYC = &latest
	}
	if d.WalletID != "" {
		if d.Balances, err = s.UserDeps.Wallets.Balances(ctx, userID); err != nil {
			return fail(err)
		}
	}
	if d.Cards, err = s.UserDeps.Cards.List(ctx, userID, true); err != nil {
		return fail(err)
	}
	if d.Sessions, err = s.Accounts.ActiveSessions(ctx, userID); err != nil {
		return fail(err)
	}
	if d.Overrides, err = s.Accounts.Overrides(ctx, s.DB.SQL, userID); err != nil {
		return fail(err)
	}
	if d.History, d.HistoryTotal, err = s.UserDeps.Wallets.History(ctx, wallet.HistoryFilter{UserID: userID, Page: historyPage,
		PageSize: historySize}); err != nil {
		return fail(err)
	}
	return d, nil
}
