// Package operator is the programme's staff: operator accounts with a role,
// password and TOTP sign-in, and server-side sessions. Operators never share
// a table, token or session with app users (docs/operators.md).
package operator

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/platform/deps"
	"github.com/comecomepay/comecomepay/internal/platform/passhash"
	"github.com/comecomepay/comecomepay/internal/platform/secret"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Role is what an operator may do (API.md §5).
type Role string

const (
	SuperAdmin Role = "super_admin"
	Compliance Role = "compliance"
	Finance    Role = "finance"
	Support    Role = "support"
	Content    Role = "content"
)

// Roles lists every role, in the order the console shows them.
var Roles = []Role{SuperAdmin, Compliance, Finance, Support, Content}

// ParseRole checks a role name.
func ParseRole(s string) (Role, bool) {
	for _, r := range Roles {
		if string(r) == s {
			return r, true
		}
	}
	return "", false
}

// Status is whether an operator may sign in.
type Status string

const (
	Active   Status = "active"
	Disabled Status = "disabled"
)

// Errors (API.md §1.6 conventions).
var (
	ErrInvalidCredentials = apperr.New("INVALID_CREDENTIALS")
	ErrLocked             = apperr.New("OPERATOR_LOCKED")
	ErrNotFound           = apperr.New("OPERATOR_NOT_FOUND")
	ErrExists             = apperr.New("OPERATOR_EXISTS")
	ErrUnauthorized       = apperr.New(apperr.CodeUnauthorized)
	ErrPasswordTooWeak    = apperr.New("PASSWORD_TOO_WEAK")
)

// Operator is a staff account. The password hash and TOTP secret never
// leave the package.
type Operator struct {
	ID           int64
	Email        string
	DisplayName  string
	Role         Role
	Status       Status
	TOTPEnrolled bool
	LockedUntil  time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Policy is the sign-in and session rules.
type Policy struct {
	IdleTimeout     time.Duration // a session unused this long ends
	SessionLifetime time.Duration // a session ends this long after sign-in, used or not
	MaxFailures     int           // failed sign-ins before a lock
	LockFor         time.Duration
	Issuer          string // the name authenticator apps show
}

// DefaultPolicy is the rules of docs/operators.md.
var DefaultPolicy = Policy{IdleTimeout: 30 * time.Minute, SessionLifetime: 12 * time.Hour, MaxFailures: 5,
	LockFor: 15 * time.Minute, Issuer: "ComeComePay"}

// Deps are the service's collaborators.
type Deps struct {
	DB     *store.DB
	Audit  *audit.Log
	Box    *secret.Box // seals TOTP secrets at rest
	Hash   passhash.Profile
	Policy Policy
	Now    func() time.Time
}

// Check names the collaborators left unwired.
func (d Deps) Check() error {
	return deps.Check("operator", deps.Wired{"DB": d.DB != nil, "Audit": d.Audit != nil, "Box": d.Box != nil,
		"Now": d.Now != nil, "Policy": d.Policy.IdleTimeout > 0 && d.Policy.MaxFailures > 0})
}

// Service manages operators and their sessions.
type Service struct {
	Deps
	dummyHash string // verified against on unknown e-mails so timing tells nothing
}

// NewService returns a Service.
func NewService(d Deps) *Service {
	return &Service{Deps: d, dummyHash: passhash.Hash(d.Hash, secret.Hex(16))}
}

// NewOperator is what creating an operator takes. An empty Password makes
// the service generate one, returned once in Created.
type NewOperator struct {
	Email       string
	DisplayName string
	Role        Role
	Password    string
}

// Created is a new operator with the secrets shown exactly once: the
// generated password (when none was given) and the TOTP enrolment URI.
type Created struct {
	Operator          Operator
	GeneratedPassword string
	TOTPURI           string
}

// CheckPassword applies the operator password policy: the users' rules
// (API.md §2.1, common passwords refused) and at least 12 characters.
func CheckPassword(p string) error {
	if utf8.RuneCountInString(p) < 12 || !account.PasswordStrong(p) {
		return ErrPasswordTooWeak.WithDetails("12–128 characters with an upper-case letter, a digit and a special character")
	}
	if account.PasswordCommon(p) {
		return ErrPasswordTooWeak.WithDetails("This password is one of the most common ones and easily guessed; choose another")
	}
	return nil
}

// NormalizeEmail trims and lower-cases an operator e-mail and checks its shape.
func NormalizeEmail(s string) (string, bool) {
	e := strings.ToLower(strings.TrimSpace(s))
	at := strings.IndexByte(e, '@')
	ok := at > 0 && at < len(e)-3 && strings.Contains(e[at:], ".") && len(e) <= 254 && !strings.ContainsAny(e, " \t\r\n")
	return e, ok
}

// Create adds an operator, audited for the actor on ctx (the CLI for the
// first one).
func (s *Service) Create(ctx context.Context, n NewOperator) (Created, error) {
	email, ok := NormalizeEmail(n.Email)
	fields := map[string]string{}
	if !ok {
		fields["email"] = "a valid e-mail address is required"
	}
	if _, ok := ParseRole(string(n.Role)); !ok {
		fields["role"] = "one of super_admin, compliance, finance, support, content"
	}
	name := strings.TrimSpace(n.DisplayName)
	if utf8.RuneCountInString(name) > 100 {
		fields["display_name"] = "at most 100 characters"
	}
	if len(fields) > 0 {
		return Created{}, apperr.Validation(fields)
	}
	if name == "" {
		name = email[:strings.IndexByte(email, '@')]
	}
	var out Created
	password := n.Password
	if password == "" {
		password = generatePassword()
		out.GeneratedPassword = password
	}
	if err := CheckPassword(password); err != nil {
		return Created{}, err
	}
	key, err := newTOTPKey(s.Policy.Issuer, email)
	if err != nil {
		return Created{}, fmt.Errorf("operator: create: %w", err)
	}
	now := s.Now()
	op := Operator{Email: email, DisplayName: name, Role: n.Role, Status: Active, CreatedAt: now.UTC(), UpdatedAt: now.UTC()}
	err = s.DB.InTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO operators (email, display_name, role, status, password_hash,
			totp_secret, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
			email, name, string(n.Role), string(Active), passhash.Hash(s.Hash, password),
			s.Box.Seal([]byte(key.URL()), totpAD), store.At(now)).Scan(&op.ID)
		if store.IsUniqueViolation(err) {
			return ErrExists
		}
		if err != nil {
			return err
		}
		return s.Audit.Record(ctx, tx, audit.Entry{Action: "operator.create", TargetType: "operator",
			TargetID: fmt.Sprint(op.ID), After: op.auditState()})
	})
	if err != nil {
		return Created{}, fmt.Errorf("operator: create: %w", err)
	}
	out.Operator, out.TOTPURI = op, key.URL()
	return out, nil
}

// auditState is what the audit log keeps of an operator: no secrets.
func (o Operator) auditState() map[string]any {
	return map[string]any{"id": o.ID, "email": o.Email, "display_name": o.DisplayName, "role": o.Role,
		"status": o.Status, "totp_enrolled": o.TOTPEnrolled}
}

func generatePassword() string {
	// 20 base62 characters plus a fixed tail that satisfies the character
	// classes: ~119 bits, well beyond any guessing.
	return secret.Base62(20) + "-A7"
}

const operatorColumns = `id, email, display_name, role, status, totp_confirmed_at, locked_until, created_at, updated_at`

func scanOperator(row interface{ Scan(...any) error }) (Operator, error) {
	var o Operator
	var role, status string
	var confirmed time.Time
	err := row.Scan(&o.ID, &o.Email, &o.DisplayName, &role, &status, store.TimeInto(&confirmed),
		store.TimeInto(&o.LockedUntil), store.TimeInto(&o.CreatedAt), store.TimeInto(&o.UpdatedAt))
	if errors.Is(err, sql.ErrNoRows) {
		return Operator{}, ErrNotFound
	}
	o.Role, o.Status, o.TOTPEnrolled = Role(role), Status(status), !confirmed.IsZero()
	return o, err
}

// Get returns an operator.
func (s *Service) Get(ctx context.Context, id int64) (Operator, error) {
	o, err := scanOperator(s.DB.SQL.QueryRowContext(ctx, `SELECT `+operatorColumns+` FROM operators WHERE id = $1`, id))
	if err != nil {
		return Operator{}, fmt.Errorf("operator: get %d: %w", id, err)
	}
	return o, nil
}

// List returns operators by id.
func (s *Service) List(ctx context.Context, limit, offset int) ([]Operator, int, error) {
	var total int
	if err := s.DB.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM operators`).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("operator: list: %w", err)
	}
	rows, err := s.DB.SQL.QueryContext(ctx, `SELECT `+operatorColumns+` FROM operators ORDER BY id LIMIT $1 OFFSET $2`, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("operator: list: %w", err)
	}
	defer rows.Close()
	var out []Operator
	for rows.Next() {
		o, err := scanOperator(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("operator: list: %w", err)
		}
		out = append(out, o)
	}
	return out, total, rows.Err()
}
