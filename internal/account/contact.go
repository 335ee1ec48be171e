package account

import (
	"context"

	"github.com/comecomepay/comecomepay/internal/store"
)

// ContactEmail returns the address codes of other domains are mailed to (the
// card PIN codes). It reads the stored address, never the token's claim, so a
// code always goes to the address after a completed change-email.
func (s *Service) ContactEmail(ctx context.Context, q store.Querier, userID int64) (string, error) {
	u, err := s.userByID(ctx, q, userID)
	if err != nil {
		return "", notFound(err, ErrUserNotFound)
	}
	return u.Email, nil
}
