package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/comecomepay/comecomepay/internal/store"
)

// Referee is an account seen from its referrer's side (API.md §2.10): level
// 1 is referred directly, level 2 by one of the level-1 referees.
type Referee struct {
	ID        int64
	Email     string
	FirstName string
	LastName  string
	Level     int
	Status    Status
	CreatedAt time.Time
}

// ReferrerOf returns the account that referred userID (fixed at
// registration), 0 when none.
func (s *Service) ReferrerOf(ctx context.Context, q store.Querier, userID int64) (int64, error) {
	u, err := s.userByID(ctx, q, userID)
	if err != nil {
		return 0, notFound(err, ErrUserNotFound)
	}
	if u.ReferredBy == nil {
		return 0, nil
	}
	return *u.ReferredBy, nil
}

// Person returns the referral view of one account.
func (s *Service) Person(ctx context.Context, q store.Querier, userID int64) (Referee, error) {
	u, err := s.userByID(ctx, q, userID)
	if err != nil {
		return Referee{}, notFound(err, ErrUserNotFound)
	}
	return Referee{ID: u.ID, Email: u.Email, FirstName: deref(u.FirstName), LastName: deref(u.LastName), Status: u.Status,
		CreatedAt: u.CreatedAt}, nil
}

// Referees lists the accounts userID referred at level 1, 2 or both (0),
// newest first, with the total matching.
func (s *Service) Referees(ctx context.Context, userID int64, level, limit, offset int) ([]Referee, int, error) {
	return s.selectReferees(ctx, s.DB.SQL, userID, level, limit, offset)
}

// RefereeCounts returns how many accounts userID referred at each level.
func (s *Service) RefereeCounts(ctx context.Context, q store.Querier, userID int64) (level1, level2 int, err error) {
	return s.countReferees(ctx, q, userID)
}

// DirectRefereeIDs lists the accounts userID referred directly.
func (s *Service) DirectRefereeIDs(ctx context.Context, q store.Querier, userID int64) ([]int64, error) {
	return s.selectDirectRefereeIDs(ctx, q, userID)
}

// EnsureReferralCode returns the user's referral code, giving the account
// one if it has none (accounts created before codes existed).
func (s *Service) EnsureReferralCode(ctx context.Context, userID int64) (string, error) {
	var code string
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		u, err := s.userByIDForUpdate(ctx, tx, userID)
		if err != nil {
			return notFound(err, ErrUserNotFound)
		}
		if code = u.ReferralCode; code != "" {
			return nil
		}
		if code, err = s.freeReferralCode(ctx, tx); err != nil {
			return err
		}
		return s.setReferralCode(ctx, tx, userID, code, s.Now())
	})
	if errors.Is(err, store.ErrNotFound) {
		return "", ErrUserNotFound
	}
	if err != nil {
		return code, fmt.Errorf("account: ensure referral code: %w", err)
	}
	return code, nil
}
