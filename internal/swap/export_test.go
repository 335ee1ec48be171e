package swap

import (
	"context"
	"database/sql"
)

// HoldOnly runs the first step of a swap and stops, as a process that dies
// right after it would.
func (s *Service) HoldOnly(ctx context.Context, in Input) (Record, error) {
	var rec Record
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		rec, _, err = s.hold(ctx, tx, in)
		return err
	})
	return rec, err
}
