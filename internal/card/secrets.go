package card

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"time"

	"github.com/comecomepay/comecomepay/internal/mail"
	"github.com/comecomepay/comecomepay/internal/otp"
	"github.com/comecomepay/comecomepay/internal/platform/deps"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Card secrets (API.md §2.6 GET /card/cvv, POST /card/full-number, Card PIN):
// the issuer holds PAN, CVV and PIN; we fetch them per request, hand them to
// the cardholder and keep only an audit row saying that it happened.

// Revealed is a secret value on its way between the issuer and the
// cardholder. String, GoString and LogValue are redacted so that a stray log
// line, %v or error wrap cannot leak it; Value must be called on purpose.
type Revealed string

// Value returns the secret itself.
func (r Revealed) Value() string { return string(r) }

// String implements fmt.Stringer, redacted.
func (Revealed) String() string { return "[redacted]" }

// GoString implements fmt.GoStringer, redacted.
func (Revealed) GoString() string { return "[redacted]" }

// LogValue implements slog.LogValuer, redacted.
func (Revealed) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// CardSecrets is what the issuer reveals of a card.
type CardSecrets struct {
	PAN    Revealed
	CVV    Revealed
	Expiry string // "MM/YY"
}

// SecretsIssuer is the issuer port for card secrets.
type SecretsIssuer interface {
	// RevealCard returns the full number, CVV and expiry of a card.
	RevealCard(ctx context.Context, publicToken string) (CardSecrets, error)
	// PIN returns the card's current PIN.
	PIN(ctx context.Context, publicToken string) (Revealed, error)
	// SetPIN sets (activates or resets) the card's PIN.
	SetPIN(ctx context.Context, publicToken string, pin Revealed) error
}

// SecretUsers gives the account facts the secret flows need.
type SecretUsers interface {
	// EnsureWritable refuses card-changing writes of a frozen account.
	EnsureWritable(ctx context.Context, q store.Querier, userID int64) error
	// LockUser serialises a user's reveals, so the hourly limit holds under
	// concurrent requests on every replica.
	LockUser(ctx context.Context, tx *sql.Tx, userID int64) error
	// ContactEmail is the address PIN codes are mailed to.
	ContactEmail(ctx context.Context, q store.Querier, userID int64) (string, error)
}

// CodeMailer queues an e-mail in the caller's transaction.
type CodeMailer interface {
	EnqueueTx(ctx context.Context, tx *sql.Tx, m mail.Message) error
}

// PIN code purposes (API.md §1.10): a code is scoped to (user, card, purpose).
const (
	PINQuery    otp.Purpose = "card_pin_query"
	PINActivate otp.Purpose = "card_pin_activate"
)

// ParsePINPurpose maps the API's purpose string onto a code purpose.
func ParsePINPurpose(s string) (otp.Purpose, bool) {
	switch p := otp.Purpose(s); p {
	case PINQuery, PINActivate:
		return p, true
	}
	return "", false
}

var pinRE = regexp.MustCompile(`^[0-9]{4,6}$`)

// ValidPIN reports whether pin has the format the issuer accepts (4–6 digits).
func ValidPIN(pin string) bool { return pinRE.MatchString(pin) }

// Defaults of the reveal limit (API.md §1.14: 20 per user per hour).
const (
	DefaultRevealLimit  = 20
	DefaultRevealWindow = time.Hour
)

// pinCodeLength is the length of e-mailed PIN codes (API.md §1.10).
const pinCodeLength = 5

// These errors stay unexported and file-local on purpose: parallel branches
// add the same API codes to package card, and distinct names keep the merge
// free of redeclarations. Fold them together once the branches are in.
var ()

// SecretsDeps are the collaborators of Secrets.
type SecretsDeps struct {
	DB     *store.DB
	Users  SecretUsers
	Issuer SecretsIssuer
	OTP    *otp.Service
	Mailer CodeMailer
	Log    *slog.Logger
	// RevealLimit reveals per RevealWindow per user (API.md §1.14: 20 an hour).
	RevealLimit  int
	RevealWindow time.Duration
	// CodeTTL is how long an e-mailed PIN code is valid (reported to the app).
	CodeTTL time.Duration
	// EchoOTP returns codes in responses (sandbox mode only, API.md §1.11).
	EchoOTP bool
	Now     func() time.Time
}

// Check names the collaborators left unwired.
func (d SecretsDeps) Check() error {
	return deps.Check("card secrets", deps.Wired{
		"DB": d.DB != nil, "Users": d.Users != nil, "Issuer": d.Issuer != nil, "OTP": d.OTP != nil,
		"Mailer": d.Mailer != nil, "Log": d.Log != nil, "Now": d.Now != nil,
	})
}

// Secrets implements the card-secret use cases.
type Secrets struct{ SecretsDeps }

// NewSecrets returns a Secrets.
func NewSecrets(d SecretsDeps) *Secrets { return &Secrets{SecretsDeps: d} }

// Client says where a request came from, for the audit.
type Client struct {
	IP        string
	UserAgent string
	SessionID string
}

// Reveal fetches the card's number, CVV and expiry from the issuer for the
// card's owner. kind is RevealCVV or RevealFullNumber: both count against
// the hourly limit and are audited.
func (s *Secrets) Reveal(ctx context.Context, userID int64, publicToken string, kind AuditKind, c Client) (CardSecrets, error) {
	cd, auditID, err := s.open(ctx, secretOp{userID: userID, token: publicToken, kind: kind, client: c})
	if err != nil {
		return CardSecrets{}, fmt.Errorf("card: reveal %s of card %s: %w", kind, publicToken, err)
	}
	sec, err := s.Issuer.RevealCard(ctx, cd.PublicToken)
	if err := s.finish(ctx, cd, auditID, kind, err); err != nil {
		return CardSecrets{}, fmt.Errorf("card: reveal %s of card %d: %w", kind, cd.ID, err)
	}
	return sec, nil
}

// PINCodeSent is the answer of SendPINCode.
type PINCodeSent struct {
	PublicToken string
	Purpose     otp.Purpose
	ExpiresIn   time.Duration
	// OTP is the code itself in sandbox mode, "" in production.
	OTP string
}

// SendPINCode e-mails a code for (user, card, purpose). An activation code
// is refused to a frozen account up front: the PIN set it leads to would be.
func (s *Secrets) SendPINCode(ctx context.Context, userID int64, publicToken string, purpose otp.Purpose) (PINCodeSent, error) {
	var res PINCodeSent
	if err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		if purpose == PINActivate {
			if err := s.Users.EnsureWritable(ctx, tx, userID); err != nil {
				return err
			}
		}
		cd, err := s.usableCard(ctx, tx, userID, publicToken, true)
		if err != nil {
			return err
		}
		to, err := s.Users.ContactEmail(ctx, tx, userID)
		if err != nil {
			return err
		}
		issued, err := s.OTP.Issue(ctx, tx, purpose, pinSubject(userID, cd.ID), pinCodeLength)
		if err != nil {
			return err
		}
		res = PINCodeSent{PublicToken: cd.PublicToken, Purpose: purpose, ExpiresIn: s.CodeTTL}
		if s.EchoOTP {
			res.OTP = issued.Code
		}
		action := "view the PIN of"
		if purpose == PINActivate {
			action = "set the PIN of"
		}
		return s.Mailer.EnqueueTx(ctx, tx, mail.Message{
			To:      to,
			Subject: "Your ComeComePay card PIN code",
			Body: fmt.Sprintf("Your ComeComePay code to %s your card ending %s is %s. It is valid for 10 minutes. "+
				"If you did not request it, ignore this message and do not share the code with anyone.", action, last4(cd.MaskedPAN), issued.Code),
			OTP: issued.Code,
		})
	}); err != nil {
		return PINCodeSent{}, fmt.Errorf("card: send %s code for card %s: %w", purpose, publicToken, err)
	}
	return res, nil
}

// PIN returns the card's PIN against a card_pin_query code. The code is used
// up before the issuer is asked (single use even under concurrent requests);
// after an issuer failure the app requests a new one, without cooldown.
func (s *Secrets) PIN(ctx context.Context, userID int64, publicToken, code string, c Client) (Revealed, error) {
	cd, auditID, err := s.open(ctx, secretOp{userID: userID, token: publicToken, kind: AuditPINQuery, client: c,
		familyC: true, code: code, purpose: PINQuery})
	if err != nil {
		return "", fmt.Errorf("card: PIN of card %s: %w", publicToken, err)
	}
	pin, err := s.Issuer.PIN(ctx, cd.PublicToken)
	if err := s.finish(ctx, cd, auditID, AuditPINQuery, err); err != nil {
		return "", fmt.Errorf("card: PIN of card %d: %w", cd.ID, err)
	}
	return pin, nil
}

// SetPIN sets the card's PIN against a card_pin_activate code. It is a
// card-changing write: a frozen account gets ACCOUNT_FROZEN.
func (s *Secrets) SetPIN(ctx context.Context, userID int64, publicToken string, pin Revealed, code string, c Client) error {
	cd, auditID, err := s.open(ctx, secretOp{userID: userID, token: publicToken, kind: AuditPINSet, client: c,
		familyC: true, writes: true, code: code, purpose: PINActivate})
	if err != nil {
		return fmt.Errorf("card: set PIN of card %s: %w", publicToken, err)
	}
	if err := s.finish(ctx, cd, auditID, AuditPINSet, s.Issuer.SetPIN(ctx, cd.PublicToken, pin)); err != nil {
		return fmt.Errorf("card: set PIN of card %d: %w", cd.ID, err)
	}
	return nil
}

// secretOp is one audited secret operation.
type secretOp struct {
	userID  int64
	token   string
	kind    AuditKind
	client  Client
	familyC bool   // unknown card → CARD_NOT_OWNED (family C) instead of CARD_NOT_FOUND
	writes  bool   // refused for frozen accounts
	code    string // the e-mailed code to use up, if purpose is set
	purpose otp.Purpose
}

// open runs the checks of an operation in one transaction and records its
// audit row, which also takes the operation's slot in the hourly limit. No
// transaction is held during the issuer call that follows.
func (s *Secrets) open(ctx context.Context, op secretOp) (Card, int64, error) {
	var (
		cd      Card
		auditID int64
	)
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		if op.writes {
			if err := s.Users.EnsureWritable(ctx, tx, op.userID); err != nil {
				return err
			}
		}
		var err error
		if cd, err = s.usableCard(ctx, tx, op.userID, op.token, op.familyC); err != nil {
			return err
		}
		if err := s.Users.LockUser(ctx, tx, op.userID); err != nil {
			return err
		}
		if op.kind.counted() {
			if err := s.checkLimit(ctx, tx, op.userID); err != nil {
				return err
			}
		}
		if op.purpose != "" {
			// A wrong code is committed (its attempt counts) by Check itself.
			if err := s.OTP.Check(ctx, tx, op.purpose, pinSubject(op.userID, cd.ID), op.code, true); err != nil {
				return err
			}
		}
		auditID, err = s.audit(ctx, tx, op, cd.ID)
		return err
	})
	return cd, auditID, err
}

// usableCard returns the caller's card unless it is unknown or cancelled.
func (s *Secrets) usableCard(ctx context.Context, q store.Querier, userID int64, token string, familyC bool) (Card, error) {
	cd, err := scanCard(q.QueryRowContext(ctx, `SELECT `+cardColumns+` FROM cards WHERE public_token = $1 AND user_id = $2`, token, userID))
	if errors.Is(err, store.ErrNotFound) {
		if familyC {
			return Card{}, ErrCardNotOwned.WithDetails("No such card among yours")
		}
		return Card{}, ErrCardNotFound.WithDetails("No such card")
	}
	if err != nil {
		return Card{}, fmt.Errorf("read card: %w", err)
	}
	if cd.Status == StatusCancelled {
		return Card{}, ErrCardCancelled.WithDetails("The card is cancelled")
	}
	return cd, nil
}

// finish records the issuer's outcome on the audit row and maps a failure to
// ISSUER_UNAVAILABLE. The cause is logged without any value: issuer errors
// never carry secrets, and the values are not in scope here.
func (s *Secrets) finish(ctx context.Context, cd Card, auditID int64, kind AuditKind, issuerErr error) error {
	outcome := outcomeOK
	if issuerErr != nil {
		outcome = outcomeFailed
	}
	if err := s.complete(ctx, auditID, outcome); err != nil {
		// The row already says the operation was attempted; a missing outcome
		// must not withhold a value the issuer has already released.
		s.Log.WarnContext(ctx, "card secret audit outcome not recorded", "audit_id", auditID, "error", err)
	}
	if issuerErr != nil {
		s.Log.WarnContext(ctx, "card issuer secret call failed", "kind", string(kind), "card_id", cd.ID, "error", issuerErr.Error())
		return IssuerFailure(issuerErr, ErrIssuerUnavailable.WithDetails("The card issuer did not answer; try again"))
	}
	return nil
}

func pinSubject(userID, cardID int64) string {
	return "user:" + strconv.FormatInt(userID, 10) + "|card:" + strconv.FormatInt(cardID, 10)
}

func last4(masked string) string {
	if len(masked) < 4 {
		return masked
	}
	return masked[len(masked)-4:]
}
