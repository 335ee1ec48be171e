package account

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/comecomepay/comecomepay/internal/i18n"
	"github.com/comecomepay/comecomepay/internal/mail"
	"github.com/comecomepay/comecomepay/internal/notification"
)

// NotifySecurityAlert is the notification type of account security events
// (an extension of API.md §3.6).
const NotifySecurityAlert = notification.TypeSecurityAlert

// Texts of the refresh-token reuse alert (canonical English of the i18n
// catalogue). They name no token, device or address: the user learns what
// happened and what to do, an eavesdropper on the push or mail learns nothing.
const (
	reuseTitle       = "Sessions signed out"
	reuseBody        = "Someone used an old sign-in token of your account, so all sessions on that device were signed out. If it wasn't you, change your password."
	reuseMailSubject = "Security alert: your ComeComePay sessions were signed out"
	reuseMailBody    = "Someone used an old sign-in token of your ComeComePay account, so all sessions on that device were signed out. If it wasn't you, change your password now."
)

// Notifier creates in-app notifications in the caller's transaction.
type Notifier interface {
	Create(ctx context.Context, tx *sql.Tx, n notification.New) (int64, error)
}

// alertTokenReuse tells the user, in the transaction that revokes the
// session, that a rotated refresh token came back: either the app lost a
// race it should not lose, or someone else holds a copy of the token.
func (s *Service) alertTokenReuse(ctx context.Context, tx *sql.Tx, u User) error {
	if _, err := s.Notifier.Create(ctx, tx, notification.New{UserID: u.ID, Type: NotifySecurityAlert, Title: reuseTitle, Body: reuseBody,
		Data: struct {
			Type   notification.Type `json:"type"`
			Reason string            `json:"reason"`
		}{NotifySecurityAlert, "refresh_token_reuse"}}); err != nil {
		return fmt.Errorf("account: reuse alert notification: %w", err)
	}
	lang, err := s.Language(ctx, tx, u.ID)
	if err != nil {
		return fmt.Errorf("account: reuse alert language: %w", err)
	}
	if err := s.Mailer.EnqueueTx(ctx, tx, mail.Message{To: u.Email, Subject: i18n.Text(lang, reuseMailSubject),
		Body: i18n.Text(lang, reuseMailBody)}); err != nil {
		return fmt.Errorf("account: reuse alert mail: %w", err)
	}
	return nil
}
