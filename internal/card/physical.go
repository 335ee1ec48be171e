package card

import (
	"fmt"
	"github.com/comecomepay/comecomepay/internal/store"

	"context"
	"database/sql"
)

// IssuedPhysical describes a card applied for as physical, just issued.
type IssuedPhysical struct {
	UserID      int64
	CardID      int64
	TaskID      int64
	PublicToken string
	Postal      Postal
}

// PhysicalOrders is the port to the physical-order domain: a card applied
// for as physical gets its order when it is issued (API.md §3.2 step 7), in
// the transaction that records the card.
type PhysicalOrders interface {
	CardIssued(ctx context.Context, tx *sql.Tx, in IssuedPhysical) error
}

// SetPhysical records in tx whether a card is (being made) physical; the
// physical-order domain sets and reverts it as orders progress or fail.
func (s *Service) SetPhysical(ctx context.Context, tx *sql.Tx, cardID int64, physical bool) error {
	if _, err := tx.ExecContext(ctx, `UPDATE cards SET is_physical = $1, updated_at = $2 WHERE id = $3`,
		physical, store.At(s.Now()), cardID); err != nil {
		return fmt.Errorf("card: set physical=%t on card %d: %w", physical, cardID, err)
	}
	return nil
}
