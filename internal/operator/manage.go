package operator

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Change is an edit of an operator; nil fields stay as they are.
type Change struct {
	DisplayName *string
	Role        *Role
	Status      *Status
}

// errLastSuperAdmin keeps the programme from locking itself out.
var errLastSuperAdmin = apperr.New(apperr.CodeInvalidState).WithDetails("the last active super_admin cannot be demoted or disabled")

// Update edits an operator, audited with the state before and after.
// Disabling ends every session of the operator in the same transaction, so
// no replica accepts them a moment later.
func (s *Service) Update(ctx context.Context, id int64, c Change) (Operator, error) {
	fields := map[string]string{}
	if c.Role != nil {
		if _, ok := ParseRole(string(*c.Role)); !ok {
			fields["role"] = "one of super_admin, compliance, finance, support, content"
		}
	}
	if c.Status != nil && *c.Status != Active && *c.Status != Disabled {
		fields["status"] = "active or disabled"
	}
	if c.DisplayName != nil {
		if n := utf8.RuneCountInString(strings.TrimSpace(*c.DisplayName)); n == 0 || n > 100 {
			fields["display_name"] = "1–100 characters"
		}
	}
	if len(fields) > 0 {
		return Operator{}, apperr.Validation(fields)
	}
	if a, ok := audit.ActorFrom(ctx); ok && a.Type == audit.ActorOperator && a.ID == id && c.Status != nil && *c.Status == Disabled {
		return Operator{}, apperr.New(apperr.CodeInvalidState).WithDetails("an operator cannot disable themselves")
	}
	var after Operator
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		before, err := scanOperator(tx.QueryRowContext(ctx, `SELECT `+operatorColumns+` FROM operators WHERE id = $1`+s.DB.ForUpdate(), id))
		if err != nil {
			return err
		}
		after = before
		if c.DisplayName != nil {
			after.DisplayName = strings.TrimSpace(*c.DisplayName)
		}
		if c.Role != nil {
			after.Role = *c.Role
		}
		if c.Status != nil {
			after.Status = *c.Status
		}
		if before.Role == SuperAdmin && before.Status == Active && (after.Role != SuperAdmin || after.Status != Active) {
			if err := s.keepOneSuperAdmin(ctx, tx, id); err != nil {
				return err
			}
		}
		after.UpdatedAt = s.Now().UTC()
		if _, err := tx.ExecContext(ctx, `UPDATE operators SET display_name = $1, role = $2, status = $3, updated_at = $4 WHERE id = $5`,
			after.DisplayName, string(after.Role), string(after.Status), store.At(after.UpdatedAt), id); err != nil {
			return err
		}
		if after.Status == Disabled || after.Role != before.Role {
			// A changed role must not keep the old role's sessions alive.
			if err := s.revokeAll(ctx, tx, id, "operator "+string(after.Status)+" as "+string(after.Role)); err != nil {
				return err
			}
		}
		return s.Audit.Record(ctx, tx, audit.Entry{Action: "operator.update", TargetType: "operator",
			TargetID: fmt.Sprint(id), Before: before.auditState(), After: after.auditState()})
	})
	if err != nil {
		return Operator{}, fmt.Errorf("operator: update %d: %w", id, err)
	}
	return after, nil
}

// keepOneSuperAdmin refuses a change that would leave no active super_admin.
// On PostgreSQL the other super_admins' rows are locked so two concurrent
// demotions cannot each see the other as the survivor.
func (s *Service) keepOneSuperAdmin(ctx context.Context, tx *sql.Tx, id int64) error {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM operators WHERE role = $1 AND status = $2 AND id <> $3`+s.DB.ForUpdate(),
		string(SuperAdmin), string(Active), id)
	if err != nil {
		return err
	}
	defer rows.Close()
	others := 0
	for rows.Next() {
		others++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if others == 0 {
		return errLastSuperAdmin
	}
	return nil
}
