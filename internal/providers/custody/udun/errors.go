package udun

import (
	"errors"
	"fmt"

	"github.com/comecomepay/comecomepay/internal/wallet"
)

// Reply codes the provider documents (PROVIDERS.md §1); 4165 and 4288 are
// reported by integrators but not in the official list: confirm them.
const (
	CodeOK                = 200
	CodeAddressFailed     = -1
	CodeMerchantUnknown   = 4001
	CodeBadParameters     = 4005
	CodeNoWallet          = 4017
	CodeBadSignature      = 4162
	CodeIllegalAddress    = 4165
	CodeMerchantDisabled  = 4169
	CodeBadWalletID       = 4175
	CodeCoinNotSupported  = 4176
	CodeDuplicateBusiness = 4288
)

// Sentinel errors, one per known reply code; errors.Is matches an *Error
// against them.
var (
	ErrAddressFailed     = errors.New("udun: address generation failed")
	ErrMerchantUnknown   = errors.New("udun: merchant unknown")
	ErrBadParameters     = errors.New("udun: bad parameters")
	ErrNoWallet          = errors.New("udun: no wallet")
	ErrBadSignature      = errors.New("udun: signature refused (API key or signing mismatch)")
	ErrIllegalAddress    = errors.New("udun: illegal address")
	ErrMerchantDisabled  = errors.New("udun: merchant disabled")
	ErrBadWalletID       = errors.New("udun: bad wallet id")
	ErrCoinNotSupported  = errors.New("udun: coin not supported by the wallet")
	ErrDuplicateBusiness = errors.New("udun: duplicate businessId")
	ErrUnknownCode       = errors.New("udun: unknown reply code")

	// ErrRateLimited is an HTTP 429 from the gateway.
	ErrRateLimited = errors.New("udun: rate limited")
	// ErrUnavailable is a transport failure, a timeout, an HTTP 5xx or an
	// unreadable reply: the provider may or may not have acted.
	ErrUnavailable = errors.New("udun: gateway unavailable")
	// ErrUnknownCoin is a currency the provider's support-coins list lacks.
	ErrUnknownCoin = errors.New("udun: coin not in the provider's support-coins list")
)

var sentinelByCode = map[int]error{
	CodeAddressFailed: ErrAddressFailed, CodeMerchantUnknown: ErrMerchantUnknown, CodeBadParameters: ErrBadParameters,
	CodeNoWallet: ErrNoWallet, CodeBadSignature: ErrBadSignature, CodeIllegalAddress: ErrIllegalAddress,
	CodeMerchantDisabled: ErrMerchantDisabled, CodeBadWalletID: ErrBadWalletID, CodeCoinNotSupported: ErrCoinNotSupported,
	CodeDuplicateBusiness: ErrDuplicateBusiness,
}

// Error is a reply whose code is not 200. Message is the provider's text;
// nothing of the request (least of all the API key) is in it.
type Error struct {
	Path    string
	Code    int
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("udun %s: code %d: %s", e.Path, e.Code, e.Message)
}

// Is matches the sentinel of the reply code, and wallet.ErrCustodyRefused
// for the codes that refuse an order for good (a withdrawal resubmitted
// with the same values would be refused again).
func (e *Error) Is(target error) bool {
	if target == wallet.ErrCustodyRefused {
		switch e.Code {
		case CodeBadParameters, CodeIllegalAddress, CodeCoinNotSupported:
			return true
		}
		return false
	}
	s, ok := sentinelByCode[e.Code]
	if !ok {
		return target == ErrUnknownCode
	}
	return target == s
}

// HTTPError is a gateway answer that is not HTTP 200.
type HTTPError struct {
	Path   string
	Status int
}

func (e *HTTPError) Error() string { return fmt.Sprintf("udun %s: HTTP %d", e.Path, e.Status) }

// Is classifies 429 as ErrRateLimited and every other status as
// ErrUnavailable (retryable).
func (e *HTTPError) Is(target error) bool {
	if e.Status == 429 {
		return target == ErrRateLimited
	}
	return target == ErrUnavailable
}
