package threeds

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/mail"
	"github.com/comecomepay/comecomepay/internal/notification"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/webhook"
)

// Processor returns the webhook processor of provider "3ds".
func (s *Service) Processor() webhook.Processor { return processor{s} }

type processor struct{ s *Service }

// Process implements webhook.Processor: it records the challenge for the
// card's owner and tells the cardholder, all in the inbox transaction. A
// challenge for an unknown card is left unmatched for operators.
func (p processor) Process(ctx context.Context, tx *sql.Tx, payload []byte) (string, error) {
	s := p.s
	ev, err := ParseEvent(payload)
	if err != nil {
		return webhook.StateIgnored, nil
	}
	if ev.IsCancel() {
		return s.cancelChallenge(ctx, tx, ev)
	}
	c, err := s.Cards.ByPublicToken(ctx, tx, ev.PublicToken())
	if errors.Is(err, card.ErrCardNotFound) {
		return webhook.StateUnmatched, nil
	}
	if err != nil {
		return "", fmt.Errorf("threeds: challenge %s: %w", ev.NotificationID, err)
	}
	sealed := ev.PasscodeSealed
	if ev.Passcode != "" { // stored by a path that did not seal it
		sealed = s.Box.Seal([]byte(ev.Passcode), passcodeAD(ev.NotificationID))
	}
	method := ev.Method()
	status := StatusOTPSent
	if method == MethodBIO {
		status, sealed = StatusUnconfirmed, ""
	}
	now := s.Now()
	after, expiresAt := ev.Expiry(now)
	currency, _ := ev.Currency()
	r := Record{NotificationID: ev.NotificationID, UserID: c.UserID, CardID: c.ID, PublicToken: c.PublicToken, AuthMethod: method,
		ChallengeStatus: status, MerchantName: ev.MerchantInfo.Name, MerchantID: string(ev.MerchantInfo.ID),
		Amount: ev.FormattedAmount(), Currency: currency, ExpiresAfter: after, ChallengeExpiresAt: expiresAt, ReceivedAt: now,
		DelegateStatus: ev.DelegateStatus, DelegateMethod: ev.DelegateMethod, DSTransactionID: string(ev.TransactionInfo.DsTransactionID),
		TransactionToken: string(ev.TransactionInfo.Token)}
	res, err := tx.ExecContext(ctx, `INSERT INTO threeds_challenges (notification_id, user_id, card_id, public_token, auth_method,
		challenge_status, merchant_name, merchant_id, amount, currency, passcode_sealed, expires_after, challenge_expires_at, received_at,
		delegate_status, delegate_method, ds_transaction_id, transaction_token, raw_data, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $14, $14)
		ON CONFLICT (notification_id) DO NOTHING`,
		r.NotificationID, r.UserID, r.CardID, r.PublicToken, r.AuthMethod, r.ChallengeStatus, r.MerchantName, r.MerchantID, r.Amount,
		r.Currency, sealed, r.ExpiresAfter, store.At(r.ChallengeExpiresAt), store.At(now), r.DelegateStatus, r.DelegateMethod,
		r.DSTransactionID, r.TransactionToken, string(payload))
	if err != nil {
		return "", fmt.Errorf("threeds: challenge %s: record: %w", r.NotificationID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return webhook.StateProcessed, nil // already recorded: tell nobody twice
	}
	if err := tx.QueryRowContext(ctx, `SELECT id FROM threeds_challenges WHERE notification_id = $1`, r.NotificationID).Scan(&r.ID); err != nil {
		return "", fmt.Errorf("threeds: challenge %s: record: %w", r.NotificationID, err)
	}
	if err := s.tell(ctx, tx, r, ev.Passcode, sealed); err != nil {
		return "", fmt.Errorf("threeds: challenge %s: %w", r.NotificationID, err)
	}
	return webhook.StateProcessed, nil
}

// tell creates the in-app notification and, for OTP, e-mails the passcode,
// recording each outcome on the record. Database failures abort the whole
// event (the inbox retries it); a missing address is recorded and skipped.
func (s *Service) tell(ctx context.Context, tx *sql.Tx, r Record, passcode, sealed string) error {
	mailErr, mailSent := "", false
	if _, err := s.Notifications.Create(ctx, tx, s.notificationFor(r)); err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	if r.AuthMethod == MethodOTP {
		if passcode == "" && sealed != "" {
			pt, err := s.Box.Open(sealed, passcodeAD(r.NotificationID))
			if err != nil {
				return fmt.Errorf("open passcode: %w", err)
			}
			passcode = string(pt)
		}
		to, err := s.Users.Email(ctx, tx, r.UserID)
		switch {
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return fmt.Errorf("e-mail address: %w", err)
		case passcode == "":
			mailErr = "the issuer sent no passcode"
		case to == "":
			mailErr = "the account has no e-mail address"
		default:
			if err := s.Mailer.EnqueueTx(ctx, tx, passcodeMail(to, r, passcode)); err != nil {
				return fmt.Errorf("mail passcode: %w", err)
			}
			mailSent = true
		}
	}
	// The in-app notification shares this transaction, so it is sent
	// whenever the record exists; push delivery will record its own errors.
	_, err := tx.ExecContext(ctx, `UPDATE threeds_challenges SET app_notification_sent = TRUE, email_notification_sent = $1,
		email_notification_error = $2 WHERE id = $3`, mailSent, mailErr, r.ID)
	if err != nil {
		return fmt.Errorf("record notifications: %w", err)
	}
	return nil
}

// notificationData is the `data` of 3DS notifications, in the key order of
// API.md §2.11.4 (the BIO payload is quoted there exactly).
type notificationData struct {
	Type            notification.Type `json:"type"`
	AuthMethod      string            `json:"auth_method"`
	NotificationID  string            `json:"notification_id"`
	ChallengeExpiry int64             `json:"challenge_expiry"`
	Amount          string            `json:"amount"`
	Currency        string            `json:"currency"`
	MerchantName    string            `json:"merchant_name"`
	PublicToken     string            `json:"public_token"`
}

// Notification types (API.md §3.6).
const (
	NotificationOTP = notification.Type3DSOTP
	NotificationBIO = notification.Type3DSBIOConfirmation
)

// notificationFor builds the in-app notification of a challenge (rendered
// in the cardholder's language when stored).
func (s *Service) notificationFor(r Record) notification.New {
	args := []any{r.Currency, r.Amount, merchantOrDefault(r.MerchantName)}
	d := notificationData{AuthMethod: string(r.AuthMethod), NotificationID: r.NotificationID, ChallengeExpiry: r.ChallengeExpiresAt.Unix(),
		Amount: r.Amount, Currency: r.Currency, MerchantName: r.MerchantName, PublicToken: r.PublicToken}
	if r.AuthMethod == MethodBIO {
		d.Type = NotificationBIO
		return notification.New{UserID: r.UserID, Type: NotificationBIO, Title: "Confirm your card payment",
			Body: "Approve or reject the payment of %s %s at %s in the app.", Args: args, Data: d}
	}
	d.Type = NotificationOTP
	return notification.New{UserID: r.UserID, Type: NotificationOTP, Title: "Card payment verification code",
		Body: "The verification code for the payment of %s %s at %s has been sent to your e-mail.", Args: args, Data: d}
}

func passcodeMail(to string, r Record, passcode string) mail.Message {
	return mail.Message{To: to, Subject: "Your ComeComePay card payment code", OTP: passcode,
		Body: fmt.Sprintf("Your verification code for the card payment of %s %s at %s is %s. It expires at %s UTC. "+
			"If you did not make this payment, do not share the code and freeze your card in the app.",
			r.Currency, r.Amount, merchantOrDefault(r.MerchantName), passcode, r.ChallengeExpiresAt.Format("2006-01-02 15:04:05"))}
}

func merchantOrDefault(name string) string {
	if strings.TrimSpace(name) == "" {
		return "a merchant"
	}
	return name
}

// RecordID returns the id of the challenge with a notification id, if any
// (the sandbox helper reports it).
func (s *Service) RecordID(ctx context.Context, notificationID string) (int64, bool, error) {
	var id int64
	err := s.DB.SQL.QueryRowContext(ctx, `SELECT id FROM threeds_challenges WHERE notification_id = $1`, notificationID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("threeds: challenge %s: %w", notificationID, err)
	}
	return id, true, nil
}

// cancelChallenge ends a live challenge the issuer cancelled
// (DelegateSCACancelNotification). API.md §3.4.7 has no cancelled state and
// the app knows only its seven, so the record becomes EXPIRED — what the
// cardholder sees of it is the same: the challenge can no longer be
// answered, and its passcode is forgotten — with delegate_status
// "Cancelled" telling operators why. A challenge no longer live (decided,
// being forwarded, expired) is left as it is; an unknown one is unmatched.
func (s *Service) cancelChallenge(ctx context.Context, tx *sql.Tx, ev Event) (string, error) {
	res, err := tx.ExecContext(ctx, `UPDATE threeds_challenges SET challenge_status = $1, passcode_sealed = '', delegate_status = $2,
		updated_at = $3 WHERE notification_id = $4 AND challenge_status IN ($5, $6)`, StatusExpired, DelegateCancelled, store.At(s.Now()),
		ev.NotificationID, StatusOTPSent, StatusUnconfirmed)
	if err != nil {
		return "", fmt.Errorf("threeds: cancel challenge %s: %w", ev.NotificationID, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return webhook.StateProcessed, nil
	}
	var id int64
	err = tx.QueryRowContext(ctx, `SELECT id FROM threeds_challenges WHERE notification_id = $1`, ev.NotificationID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return webhook.StateUnmatched, nil
	}
	if err != nil {
		return "", fmt.Errorf("threeds: cancel challenge %s: %w", ev.NotificationID, err)
	}
	return webhook.StateIgnored, nil
}

// DelegateCancelled is the delegate_status of a challenge the issuer
// cancelled.
const DelegateCancelled = "Cancelled"
