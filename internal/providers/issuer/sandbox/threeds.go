package sandbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/google/uuid"

	"github.com/comecomepay/comecomepay/internal/platform/secret"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/threeds"
)

// SetPlan implements threeds.Issuer: it records the card's 3DS plan.
func (i *Issuer) SetPlan(ctx context.Context, publicToken string, plan threeds.Plan) error {
	if i.injectedFailure("set_3ds_plan") {
		return errors.New("sandbox issuer: injected set_3ds_plan failure")
	}
	if !threeds.ValidPlan(plan) {
		return errors.New("sandbox issuer: unknown 3DS plan")
	}
	var exists bool
	if err := i.db.SQL.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM sim_issuer_cards WHERE public_token = $1)`, publicToken).
		Scan(&exists); err != nil {
		return fmt.Errorf("sandbox issuer: set_3ds_plan: %w", err)
	}
	if !exists {
		return errors.New("sandbox issuer: unknown card")
	}
	if _, err := i.db.SQL.ExecContext(ctx, `INSERT INTO sim_issuer_3ds_plans (public_token, plan, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (public_token) DO UPDATE SET plan = excluded.plan, updated_at = excluded.updated_at`, publicToken, plan,
		store.At(i.now())); err != nil {
		return fmt.Errorf("sandbox issuer: set_3ds_plan: %w", err)
	}
	return nil
}

// Plan returns the 3DS plan the simulator holds for a card ("OTP" until one
// is set, the issuer's default).
func (i *Issuer) Plan(ctx context.Context, publicToken string) (threeds.Plan, error) {
	plan := threeds.PlanOTP
	err := i.db.SQL.QueryRowContext(ctx, `SELECT plan FROM sim_issuer_3ds_plans WHERE public_token = $1`, publicToken).Scan(&plan)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("sandbox issuer: read 3DS plan: %w", err)
	}
	return plan, nil
}

// Confirm implements threeds.Issuer: it records the cardholder's decision.
// The same decision again is accepted (idempotent); the opposite one is
// refused, as a real issuer would after the first answer.
func (i *Issuer) Confirm(ctx context.Context, notificationID string, approve bool) error {
	if i.injectedFailure("confirm_3ds") {
		return errors.New("sandbox issuer: injected confirm_3ds failure")
	}
	if _, err := i.db.SQL.ExecContext(ctx, `INSERT INTO sim_issuer_3ds_decisions (notification_id, approve, decided_at) VALUES ($1, $2, $3)
		ON CONFLICT (notification_id) DO NOTHING`, notificationID, approve, store.At(i.now())); err != nil {
		return fmt.Errorf("sandbox issuer: confirm_3ds %s: %w", notificationID, err)
	}
	var stored bool
	if err := i.db.SQL.QueryRowContext(ctx, `SELECT approve FROM sim_issuer_3ds_decisions WHERE notification_id = $1`, notificationID).
		Scan(&stored); err != nil {
		return fmt.Errorf("sandbox issuer: confirm_3ds %s: %w", notificationID, err)
	}
	if stored != approve {
		return errors.New("sandbox issuer: the challenge was already decided the other way")
	}
	return nil
}

// Decision returns the decision the simulator received for a challenge.
func (i *Issuer) Decision(ctx context.Context, notificationID string) (approve, ok bool, err error) {
	err = i.db.SQL.QueryRowContext(ctx, `SELECT approve FROM sim_issuer_3ds_decisions WHERE notification_id = $1`, notificationID).Scan(&approve)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, false, nil
	case err != nil:
		return false, false, fmt.Errorf("sandbox issuer: 3DS decision of %s: %w", notificationID, err)
	}
	return approve, true, nil
}

// NewChallenge builds the 3DS webhook payload the issuer would send for a
// purchase (API.md §2.11.4): a fresh NotificationId and, for OTP, a 6-digit
// passcode. The caller signs and delivers it.
func (i *Issuer) NewChallenge(c threeds.ChallengeSpec) (body []byte, notificationID, passcode string, err error) {
	token, err := strconv.ParseUint(c.PublicToken, 10, 64)
	if err != nil {
		return nil, "", "", errors.New("sandbox issuer: public token is not numeric")
	}
	notificationID = uuid.NewString()
	now := i.now().UTC()
	method := "sms-otp"
	if c.BIO {
		method = "push-confirmation"
	} else {
		passcode = secret.Digits(6)
	}
	payload := map[string]any{
		"NotificationId": notificationID, "DelegateStatus": "Active", "Pubtoken": token, "DelegateMethod": method,
		"FinancialInstitutionId": uuid.NewString(), "delegateScaId": uuid.NewString(), "language": "en", "cardScheme": "VISA",
		"CreatedMode": "SANDBOX", "status": 1,
		"Device":       map[string]any{"Channel": "BROWSER", "IP": "203.0.113.10", "Language": "en-US"},
		"MerchantInfo": map[string]any{"ChallengePreference": "01", "Country": "344", "Id": "SBX-" + secret.Digits(8), "Name": c.MerchantName, "RedirectAppUrl": "", "Url": "https://merchant.example"},
		"TransactionInfo": map[string]any{
			"Amount": c.Amount, "Currency": map[string]any{"Code": c.Currency.Numeric, "Exponent": strconv.Itoa(c.Currency.Exponent)},
			"ChallengeExpiresAfter": c.ExpiresAfter, "ChallengeExpiry": now.Unix() + int64(c.ExpiresAfter),
			"ChallengedAt": now.Unix(), "Date": now.Unix(), "DsTransactionId": uuid.NewString(), "Token": secret.Hex(16),
			"ChallengeMethod": method, "Channel": "BROWSER", "ProtocolVersion": "2.2.0", "Type": "PURCHASE", "Install": "", "Recur": "",
		},
	}
	if passcode != "" {
		payload["Passcode"] = passcode
	}
	if body, err = json.Marshal(payload); err != nil {
		return nil, "", "", fmt.Errorf("sandbox issuer: encode 3DS challenge: %w", err)
	}
	return body, notificationID, passcode, nil
}
