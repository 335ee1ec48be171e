package physical

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/mail"
	"github.com/comecomepay/comecomepay/internal/notification"
	"github.com/comecomepay/comecomepay/internal/otp"
	"github.com/comecomepay/comecomepay/internal/platform/secret"
	"github.com/comecomepay/comecomepay/internal/platform/text"
	"github.com/comecomepay/comecomepay/internal/store"
)

// CodeSent is the answer of SendCode.
type CodeSent struct {
	PublicToken string
	ExpiresIn   time.Duration
	// OTP is the code in sandbox mode, "" in production.
	OTP string
}

// SendCode e-mails a 6-digit upgrade code to the account address and opens
// (or re-uses) the card's draft order in INIT.
func (s *Service) SendCode(ctx context.Context, userID int64, publicToken string) (CodeSent, error) {
	c, err := s.card(ctx, userID, 0, publicToken)
	if err != nil {
		return CodeSent{}, fmt.Errorf("physical: send code for card %s: %w", publicToken, err)
	}
	prof, err := s.Users.Profile(ctx, userID)
	if err != nil {
		return CodeSent{}, fmt.Errorf("physical: send code for card %d: %w", c.ID, err)
	}
	var res CodeSent
	err = s.DB.InTx(ctx, func(tx *sql.Tx) error {
		if err := s.ensureUpgradable(ctx, tx, c); err != nil {
			return err
		}
		if _, err := s.draft(ctx, tx, c, true); err != nil {
			return err
		}
		issued, err := s.OTP.Issue(ctx, tx, purposeUpgrade, codeSubject(userID, c.ID), codeLength)
		if err != nil {
			return err
		}
		res = CodeSent{PublicToken: c.PublicToken, ExpiresIn: otp.DefaultPolicy.TTL}
		if s.EchoOTP {
			res.OTP = issued.Code
		}
		return s.Mailer.EnqueueTx(ctx, tx, mail.Message{
			To:      prof.Email,
			Subject: "Your ComeComePay physical card upgrade code",
			Body: fmt.Sprintf("Your ComeComePay verification code for the physical card upgrade is %s. It is valid for 10 minutes. "+
				"If you did not request it, ignore this message and do not share the code with anyone.", issued.Code),
			OTP: issued.Code,
		})
	})
	if err != nil {
		return CodeSent{}, fmt.Errorf("physical: send code for card %d: %w", c.ID, err)
	}
	return res, nil
}

func codeSubject(userID, cardID int64) string {
	return strconv.FormatInt(userID, 10) + "|" + strconv.FormatInt(cardID, 10)
}

// draft returns the card's open draft order (INIT or EMAIL_VERIFIED). A
// draft unpaid for 30 minutes is cancelled on the way (API.md §3.4.5); with
// create, a missing draft is created in INIT.
func (s *Service) draft(ctx context.Context, tx *sql.Tx, c card.Card, create bool) (Order, error) {
	o, err := scanOrder(tx.QueryRowContext(ctx, `SELECT `+orderColumns+` FROM physical_orders
		WHERE card_id = $1 AND status IN ($2, $3) ORDER BY id DESC LIMIT 1`+s.DB.ForUpdate(), c.ID, StatusInit, StatusEmailVerified))
	now := s.Now()
	switch {
	case err == nil && now.Sub(o.CreatedAt) < draftLifetime:
		return o, nil
	case err == nil:
		if err := s.transition(ctx, tx, o, StatusCancelled, SourceSystem, "draft unpaid for 30 minutes", ""); err != nil {
			return Order{}, err
		}
	case !errors.Is(err, store.ErrNotFound):
		return Order{}, fmt.Errorf("draft of card %d: %w", c.ID, err)
	}
	if !create {
		return Order{}, store.ErrNotFound
	}
	return s.insertOrder(ctx, tx, Order{UserID: c.UserID, CardID: c.ID, PublicToken: c.PublicToken, Kind: KindUpgrade,
		Status: StatusInit}, "", SourceUser)
}

// insertOrder creates an order with a fresh order_no and its first
// timeline entry (from previous).
func (s *Service) insertOrder(ctx context.Context, tx *sql.Tx, o Order, postalSealed string, source Source) (Order, error) {
	now := s.Now()
	no, err := s.orderNo(ctx, tx, now)
	if err != nil {
		return Order{}, err
	}
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO physical_orders (order_no, user_id, card_id, public_token, kind, status, postal_sealed,
		fee_usd, fee_amount, payment_currency, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id`,
		no, o.UserID, o.CardID, o.PublicToken, o.Kind, o.Status, postalSealed, int64(o.FeeUSD), int64(o.FeeAmount), o.PaymentCurrency,
		store.At(now)).Scan(&id); err != nil {
		if store.IsUniqueViolation(err) {
			return Order{}, ErrUpgradeInProgress.WithDetails("A physical card order of this card is in progress")
		}
		return Order{}, fmt.Errorf("insert order of card %d: %w", o.CardID, err)
	}
	var previous Status
	if o.Status == StatusFeePaid {
		// A retry after a failed submission starts from the verified e-mail.
		previous = StatusEmailVerified
	}
	if err := s.addEvent(ctx, tx, id, o.Status, previous, source, "", ""); err != nil {
		return Order{}, err
	}
	return s.order(ctx, tx, id, false)
}

// orderNo returns a new "UPG" + yyyyMMddHHmmss + 4 [A-Z0-9] not yet used.
func (s *Service) orderNo(ctx context.Context, tx *sql.Tx, now time.Time) (string, error) {
	for range 8 {
		no := "UPG" + now.UTC().Format("20060102150405") + secret.Code(4)
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM physical_orders WHERE order_no = $1`, no).Scan(&n); err != nil {
			return "", fmt.Errorf("order number: %w", err)
		}
		if n == 0 {
			return no, nil
		}
	}
	return "", errors.New("no free order number")
}

// transition moves o to status (no rule checks: callers decide) and appends
// the timeline entry.
func (s *Service) transition(ctx context.Context, tx *sql.Tx, o Order, status Status, source Source, remark, externalReqID string) error {
	res, err := tx.ExecContext(ctx, `UPDATE physical_orders SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4`,
		status, store.At(s.Now()), o.ID, o.Status)
	if err != nil {
		if store.IsUniqueViolation(err) {
			return ErrUpgradeInProgress.WithDetails("A physical card order of this card is in progress")
		}
		return fmt.Errorf("move order %d to %s: %w", o.ID, status, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("move order %d to %s: it changed meanwhile", o.ID, status)
	}
	if err := s.addEvent(ctx, tx, o.ID, status, o.Status, source, remark, externalReqID); err != nil {
		return err
	}
	return s.notifyTransition(ctx, tx, o, status)
}

// notifiedStatuses are the order states the cardholder hears about
// (API.md §3.6 physical_card_status): those after the issuer has the order.
var notifiedStatuses = map[Status]string{StatusSubmitted: "Your physical card order was sent to the card issuer.",
	StatusProcessing: "Your physical card is being made.", StatusShipped: "Your physical card has been shipped (tracking number %s).",
	StatusDelivered: "Your physical card was delivered.", StatusFailed: "Your physical card order failed; the fee was refunded."}

func (s *Service) notifyTransition(ctx context.Context, tx *sql.Tx, o Order, status Status) error {
	body, ok := notifiedStatuses[status]
	if !ok {
		return nil
	}
	var tracking string
	if err := tx.QueryRowContext(ctx, `SELECT tracking_no FROM physical_orders WHERE id = $1`, o.ID).Scan(&tracking); err != nil {
		return fmt.Errorf("notify %s of order %d: %w", status, o.ID, err)
	}
	var args []any
	if status == StatusShipped {
		args = []any{tracking}
	}
	_, err := s.Notifier.Create(ctx, tx, notification.New{UserID: o.UserID, Type: notification.TypePhysicalCardStatus, Title: "Physical card",
		Body: body, Args: args, Data: struct {
			Type       notification.Type `json:"type"`
			OrderNo    string            `json:"order_no"`
			Status     string            `json:"status"`
			TrackingNo string            `json:"tracking_no"`
		}{notification.TypePhysicalCardStatus, o.OrderNo, string(status), tracking}})
	if err != nil {
		return fmt.Errorf("notify %s of order %d: %w", status, o.ID, err)
	}
	return nil
}

func (s *Service) addEvent(ctx context.Context, tx *sql.Tx, orderID int64, status, previous Status, source Source,
	remark, externalReqID string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO physical_order_events (order_id, status, previous_status, source, remark, external_req_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, orderID, status, previous, source, text.Truncate(remark, 200), externalReqID, store.At(s.Now()))
	if err != nil {
		return fmt.Errorf("timeline of order %d: %w", orderID, err)
	}
	return nil
}

// Verified is the answer of VerifyCode.
type Verified struct {
	Token     string
	ExpiresIn time.Duration
}

// VerifyCode checks the e-mailed code and returns a single-use verify token
// bound to (user, card), valid 10 minutes; the draft becomes EMAIL_VERIFIED.
// A wrong code counts an attempt; the fifth burns the code
// (OTP_ATTEMPTS_EXCEEDED, which this endpoint alone answers with 423).
func (s *Service) VerifyCode(ctx context.Context, userID int64, publicToken, code string) (Verified, error) {
	c, err := s.card(ctx, userID, 0, publicToken)
	if err != nil {
		return Verified{}, fmt.Errorf("physical: verify code for card %s: %w", publicToken, err)
	}
	var res Verified
	err = s.DB.InTx(ctx, func(tx *sql.Tx) error {
		if err := s.OTP.Check(ctx, tx, purposeUpgrade, codeSubject(userID, c.ID), code, true); err != nil {
			return err
		}
		if c.Status == card.StatusCancelled {
			return ErrCardCancelled.WithDetails("The card is cancelled")
		}
		d, err := s.draft(ctx, tx, c, true)
		if err != nil {
			return err
		}
		if d.Status == StatusInit {
			if err := s.transition(ctx, tx, d, StatusEmailVerified, SourceUser, "", ""); err != nil {
				return err
			}
		}
		now := s.Now()
		token := "vt_" + secret.Base62(tokenRandChars)
		if _, err := tx.ExecContext(ctx, `INSERT INTO physical_verify_tokens (token_hash, user_id, card_id, order_id, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, s.tokenHash(token), userID, c.ID, d.ID, store.At(now), store.At(now.Add(tokenTTL))); err != nil {
			return fmt.Errorf("store verify token of order %d: %w", d.ID, err)
		}
		res = Verified{Token: token, ExpiresIn: tokenTTL}
		return nil
	})
	if err != nil {
		return Verified{}, fmt.Errorf("physical: verify code for card %d: %w", c.ID, err)
	}
	return res, nil
}

func (s *Service) tokenHash(token string) string { return s.Hasher.Sum("physical-verify-token", token) }

// verifyToken is a stored verify token.
type verifyToken struct {
	Hash    string
	OrderID int64
}

// checkToken finds a live token of (user, card) and locks it, so two
// requests carrying the same token run one after the other.
func (s *Service) checkToken(ctx context.Context, tx *sql.Tx, userID, cardID int64, token string) (verifyToken, error) {
	var (
		t              verifyToken
		owner, tokCard int64
		expires, used  time.Time
	)
	t.Hash = s.tokenHash(token)
	err := tx.QueryRowContext(ctx, `SELECT user_id, card_id, order_id, expires_at, used_at FROM physical_verify_tokens
		WHERE token_hash = $1`+s.DB.ForUpdate(), t.Hash).Scan(&owner, &tokCard, &t.OrderID, store.TimeInto(&expires), store.TimeInto(&used))
	if errors.Is(err, sql.ErrNoRows) {
		return t, ErrVerifyTokenInvalid.WithDetails("Unknown verify token")
	}
	if err != nil {
		return t, fmt.Errorf("verify token: %w", err)
	}
	switch {
	case owner != userID || tokCard != cardID:
		return t, ErrVerifyTokenInvalid.WithDetails("The verify token belongs to another card")
	case !used.IsZero():
		return t, ErrVerifyTokenInvalid.WithDetails("The verify token was already used")
	case !s.Now().Before(expires):
		return t, ErrVerifyTokenInvalid.WithDetails("The verify token has expired")
	}
	return t, nil
}
