package kyc

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/comecomepay/comecomepay/internal/notification"
)

// Notifier creates in-app notifications in the caller's transaction.
type Notifier interface {
	Create(ctx context.Context, tx *sql.Tx, n notification.New) (int64, error)
}

// NotifyResult is the notification type of a KYC decision (API.md §3.6).
const NotifyResult = notification.TypeKYCResult

// notifyResult tells the user their verification was approved or rejected.
func (s *Service) notifyResult(ctx context.Context, tx *sql.Tx, rec Record) error {
	if rec.Status != StatusApproved && rec.Status != StatusRejected {
		return nil
	}
	title, body, args := "Identity verified", "Your identity verification was approved. You can apply for a card.", []any(nil)
	if rec.Status == StatusRejected {
		title, body, args = "Identity verification rejected", "Your identity verification was rejected (%s). You can submit it again.",
			[]any{rec.FailReason}
	}
	if _, err := s.Notifier.Create(ctx, tx, notification.New{UserID: rec.UserID, Type: NotifyResult, Title: title, Body: body, Args: args,
		Data: struct {
			Type       notification.Type `json:"type"`
			Status     RecordStatus      `json:"status"`
			FailReason string            `json:"fail_reason"`
		}{NotifyResult, rec.Status, rec.FailReason}}); err != nil {
		return fmt.Errorf("notify result: %w", err)
	}
	return nil
}
