package card

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/notification"
)

// Notifier creates in-app notifications in the caller's transaction, so a
// notification exists exactly when its event was committed.
type Notifier interface {
	Create(ctx context.Context, tx *sql.Tx, n notification.New) (int64, error)
}

// Notification types of cards (API.md §3.6).
const (
	NotifyStatus      = notification.TypeCardStatus
	NotifyTransaction = notification.TypeCardTransaction
	NotifyIssued      = notification.TypeCardIssued
	NotifyIssueFailed = notification.TypeCardIssueFailed
)

func (s *Service) notify(ctx context.Context, tx *sql.Tx, n notification.New) error {
	if _, err := s.Notifier.Create(ctx, tx, n); err != nil {
		return fmt.Errorf("notify %s: %w", n.Type, err)
	}
	return nil
}

func moneyOf(cents int64) money.Amount { return money.Amount(cents) }

// fixed2 renders HKD cents with both decimals ("12.30"), like the amount
// strings of the 3DS notifications.
func fixed2(a money.Amount) string {
	sign := ""
	if a < 0 {
		sign, a = "-", -a
	}
	return fmt.Sprintf("%s%d.%02d", sign, a/100, a%100)
}

func lastFour(c Card) string {
	if len(c.MaskedPAN) < 4 {
		return c.MaskedPAN
	}
	return c.MaskedPAN[len(c.MaskedPAN)-4:]
}

// notifyStatus tells the cardholder their card was frozen, unfrozen or
// cancelled.
func (s *Service) notifyStatus(ctx context.Context, tx *sql.Tx, c Card, status Status) error {
	shown := listStatusOf(status)
	titles := map[string]string{"active": "Card active", "frozen": "Card frozen", "cancelled": "Card cancelled"}
	bodies := map[string]string{"active": "Your card ending %s is active again.", "frozen": "Your card ending %s is frozen.",
		"cancelled": "Your card ending %s is cancelled."}
	return s.notify(ctx, tx, notification.New{UserID: c.UserID, Type: NotifyStatus, Title: titles[shown],
		Body: bodies[shown], Args: []any{lastFour(c)},
		Data: struct {
			Type        notification.Type `json:"type"`
			PublicToken string            `json:"public_token"`
			Status      string            `json:"status"`
		}{NotifyStatus, c.PublicToken, shown}})
}

// listStatusOf maps a card status onto the app's vocabulary.
func listStatusOf(status Status) string {
	if status == StatusNormal {
		return "active"
	}
	return string(status)
}

// notifyTransaction tells the cardholder about an authorisation, a decline
// or a refund.
func (s *Service) notifyTransaction(ctx context.Context, tx *sql.Tx, c Card, amount money.Amount, merchant, status string) error {
	titles := map[string]string{"authorized": "Card payment", "declined": "Card payment declined", "refunded": "Card refund"}
	bodies := map[string]string{"authorized": "HKD %s paid at %s with your card ending %s.",
		"declined": "A payment of HKD %s at %s with your card ending %s was declined.",
		"refunded": "HKD %s from %s was refunded to your card ending %s."}
	shownMerchant := merchant
	if shownMerchant == "" {
		shownMerchant = "-"
	}
	return s.notify(ctx, tx, notification.New{UserID: c.UserID, Type: NotifyTransaction, Title: titles[status],
		Body: bodies[status], Args: []any{fixed2(amount), shownMerchant, lastFour(c)},
		Data: struct {
			Type         notification.Type `json:"type"`
			PublicToken  string            `json:"public_token"`
			Amount       string            `json:"amount"`
			Currency     string            `json:"currency"`
			MerchantName string            `json:"merchant_name"`
			Status       string            `json:"status"`
		}{NotifyTransaction, c.PublicToken, fixed2(amount), Currency, merchant, status}})
}

// notifyIssue tells the applicant how their application ended.
func (s *Service) notifyIssue(ctx context.Context, tx *sql.Tx, userID, taskID int64, publicToken string, ok bool) error {
	typ, title, body := NotifyIssued, "Card issued", "Your new card is ready to use."
	if !ok {
		typ, title, body = NotifyIssueFailed, "Card application failed", "Your card could not be issued; your card fee is available for a new application."
	}
	return s.notify(ctx, tx, notification.New{UserID: userID, Type: typ, Title: title, Body: body,
		Data: struct {
			Type        notification.Type `json:"type"`
			TaskID      int64             `json:"task_id"`
			PublicToken string            `json:"public_token"`
		}{typ, taskID, publicToken}})
}
