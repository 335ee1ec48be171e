package operator

import (
	"fmt"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// totpAD binds sealed TOTP secrets to their purpose.
var totpAD = []byte("operator-totp")

const totpPeriod = 30

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// openKey unseals an operator's TOTP key (stored as its otpauth:// URI, which
// is also what enrolment shows).
func (s *Service) openKey(sealed string) (*otp.Key, error) {
	raw, err := s.Box.Open(sealed, totpAD)
	if err != nil {
		return nil, fmt.Errorf("open TOTP key: %w", err)
	}
	return otp.NewKeyFromURL(string(raw))
}

func newTOTPKey(issuer, account string) (*otp.Key, error) {
	return totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, Period: totpPeriod,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
}

// totpStep returns the time step a code belongs to, trying the current step
// and one on either side (RFC 6238 §5.2's allowance for clock drift), or 0
// when the code matches none. The caller accepts a step only once.
func totpStep(secret, code string, now time.Time) int64 {
	if len(code) != 6 {
		return 0
	}
	for _, skew := range []int64{0, -1, 1} {
		at := now.Add(time.Duration(skew*totpPeriod) * time.Second)
		if ok, err := totp.ValidateCustom(code, secret, at, totpOpts); err == nil && ok {
			return at.Unix() / totpPeriod
		}
	}
	return 0
}

// TOTPCode returns the code for secret at t: for tests and the sandbox's
// helpers, never served.
func TOTPCode(secret string, t time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, t, totpOpts)
}
