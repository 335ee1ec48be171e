// Package account is the user account domain: registration, login with an
// e-mail code, sessions and tokens, profile, and the security flows (password,
// e-mail, phone, transaction password, deactivation).
package account

import (
	"time"

	"github.com/comecomepay/comecomepay/internal/kyc"
)

// Status is the lifecycle state of an account (API.md §1.3).
type Status string

const (
	StatusActive      Status = "active"
	StatusFrozen      Status = "frozen"
	StatusDeactivated Status = "deactivated"
)

// User is an account row.
type User struct {
	ID              int64
	Email           string
	PasswordHash    string
	FirstName       *string
	LastName        *string
	Phone           *string
	AccountType     string
	Status          Status
	ReferralCode    string
	ReferredBy      *int64
	DateOfBirth     *string
	Address         *string
	City            *string
	State           *string
	PostCode        *string
	AreaCode        *string
	BillCountryCode *string
	TxPasswordHash  string
	TxPasswordFails int
	TxPasswordLock  time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// DisplayName is first and last name joined and trimmed, "" when unset.
func (u User) DisplayName() string {
	name := deref(u.FirstName)
	if l := deref(u.LastName); l != "" {
		if name != "" {
			name += " "
		}
		name += l
	}
	return name
}

// Profile is the User object of the API: the account plus what other
// domains know about it.
type Profile struct {
	User
	WalletID  string
	KYCStatus kyc.UserStatus
	KYCLevel  int
}

// Principal is the authenticated caller of a request.
type Principal struct {
	UserID    int64
	Email     string
	SessionID string
	Status    Status
	// Language is the language the user last asked for ("en", "zh", "ar").
	Language string
	// own is the account row read with the session (nil for a Principal
	// made elsewhere), so the request's own profile needs no second read.
	own *ownRow
}

// ownRow is what authentication read of the caller's account.
type ownRow struct {
	user     User
	walletID string // "" when the row holds no copy
}

// TokenPair is what a successful login or refresh returns.
type TokenPair struct {
	AccessToken  string
	RefreshToken string
}

// PendingRegistration is a signup between the e-mail code and the password.
type PendingRegistration struct {
	Email        string
	ReferralCode string
	VerifiedAt   *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Session is one login of one device.
type Session struct {
	ID        string
	UserID    int64
	CreatedAt time.Time
	IP        string
	UserAgent string
}

// RefreshToken is the stored state of one issued refresh token.
type RefreshToken struct {
	JTI          string
	SessionID    string
	IssuedAt     time.Time
	ExpiresAt    time.Time
	UsedAt       *time.Time
	SuccessorJTI string
}

// ChangeKind names a multi-step security flow.
type ChangeKind string

const (
	ChangeEmail      ChangeKind = "email"
	ChangePhone      ChangeKind = "phone"
	ChangeTxPassword ChangeKind = "tx_password"
)

// PendingChange is the server-side state of a multi-step flow.
type PendingChange struct {
	UserID     int64
	Kind       ChangeKind
	Target     string
	Step       string
	Handle     string
	SecretHash string
	CreatedAt  time.Time
	ExpiresAt  time.Time
}

// ProfileUpdate holds the profile fields a user may change; nil = unchanged,
// a pointer to "" = clear.
type ProfileUpdate struct {
	FirstName, LastName, DateOfBirth, AccountType  *string
	Address, City, State, PostCode, AreaCode, Bill *string
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
