package wallet

import "github.com/comecomepay/comecomepay/internal/apperr"

// Errors of the wallet domain (API.md §1.6).
var (
	ErrWalletNotFound      = apperr.New("NOT_FOUND")
	ErrUnsupportedCurrency = apperr.New("UNSUPPORTED_CURRENCY")
	ErrSelfTransfer        = apperr.New("SELF_TRANSFER")
	ErrRecipientNotFound   = apperr.New("RECIPIENT_NOT_FOUND")
	ErrWalletNotActive     = apperr.New("WALLET_NOT_ACTIVE")
)
