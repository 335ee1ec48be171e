package account

import "github.com/comecomepay/comecomepay/internal/apperr"

// Errors of the account domain (codes from API.md §1.6).
var (
	ErrInvalidCredentials  = apperr.New("INVALID_CREDENTIALS")
	ErrEmailRegistered     = apperr.New("EMAIL_ALREADY_REGISTERED")
	ErrEmailNotVerified    = apperr.New("EMAIL_NOT_VERIFIED")
	ErrSameEmail           = apperr.New("SAME_EMAIL")
	ErrSamePhone           = apperr.New("SAME_PHONE")
	ErrPasswordTooWeak     = apperr.New("PASSWORD_TOO_WEAK")
	ErrPasswordMismatch    = apperr.New("PASSWORD_MISMATCH")
	ErrInvalidReferralCode = apperr.New("INVALID_REFERRAL_CODE")
	ErrInvalidState        = apperr.New(apperr.CodeInvalidState)
	ErrRateLimited         = apperr.New(apperr.CodeRateLimited)
	ErrUnauthorized        = apperr.New(apperr.CodeUnauthorized)
	ErrAccountDeactivated  = apperr.New("ACCOUNT_DEACTIVATED")
	ErrAccountFrozen       = apperr.New(apperr.CodeAccountFrozen)
	ErrUserNotFound        = apperr.New("USER_NOT_FOUND")
	ErrTxPasswordNotSet    = apperr.New("TRANSACTION_PASSWORD_NOT_SET")
	ErrInvalidTxPassword   = apperr.New("INVALID_TRANSACTION_PASSWORD")
	ErrTxPasswordLocked    = apperr.New("TRANSACTION_PASSWORD_LOCKED")
	ErrDeactivationBlocked = apperr.New("DEACTIVATION_BLOCKED")
)
