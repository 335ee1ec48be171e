package i18n

import (
	"fmt"
	"strings"
	"testing"
	"unicode"
)

// catalogueCodes is every code of the API.md §1.6 error code catalogue.
var catalogueCodes = []string{
	"SWAP_PENDING",                   // an extension, documented in api/openapi.yaml and docs/decisions.md
	"ISSUER_TEMPORARILY_UNAVAILABLE", // an extension: the issuer's circuit breaker is open (503)
	// The operator API's own codes (API.md §5 leaves them to us; docs/operators.md).
	"OPERATOR_LOCKED", "OPERATOR_EXISTS", "OPERATOR_NOT_FOUND", "SESSION_NOT_FOUND", "APPROVAL_NOT_FOUND",
	"APPROVAL_PENDING", "FOUR_EYES_REQUIRED",
	"CARD_BALANCE_PENDING", // an extension: the issuer still holds part of the card balance (400)
	"VALIDATION_FAILED", "UNAUTHORIZED", "SIGNATURE_INVALID", "FORBIDDEN",
	"ACCOUNT_FROZEN", "ACCOUNT_DEACTIVATED", "CARD_NOT_OWNED", "CARD_LOCKED_BY_ADMIN",
	"NOT_FOUND",
	"USER_NOT_FOUND", "CARD_NOT_FOUND", "TASK_NOT_FOUND", "PAYMENT_NOT_FOUND",
	"QUOTE_NOT_FOUND", "NOTIFICATION_NOT_FOUND", "ANNOUNCEMENT_NOT_FOUND",
	"COUPON_NOT_FOUND", "RECIPIENT_NOT_FOUND", "ORDER_NOT_FOUND",
	"APPLICATION_NOT_FOUND", "DEVICE_NOT_FOUND", "TRADE_NOT_FOUND",
	"CHALLENGE_NOT_FOUND", "APP_VERSION_NOT_CONFIGURED", "CARD_FEE_NOT_CONFIGURED",
	"METHOD_NOT_ALLOWED", "INVALID_CREDENTIALS", "EMAIL_ALREADY_REGISTERED",
	"EMAIL_NOT_VERIFIED", "SAME_EMAIL", "SAME_PHONE", "PASSWORD_TOO_WEAK",
	"PASSWORD_MISMATCH", "INVALID_REFERRAL_CODE", "INVALID_STATE", "OTP_INVALID",
	"OTP_EXPIRED", "OTP_ATTEMPTS_EXCEEDED", "RATE_LIMITED",
	"TRANSACTION_PASSWORD_NOT_SET", "INVALID_TRANSACTION_PASSWORD",
	"TRANSACTION_PASSWORD_LOCKED", "INSUFFICIENT_BALANCE", "LIMIT_EXCEEDED",
	"UNSUPPORTED_CURRENCY", "SAME_CURRENCY", "UNSUPPORTED_PAIR", "INVALID_ADDRESS",
	"INTERNAL_ADDRESS", "SELF_TRANSFER", "WALLET_NOT_ACTIVE",
	"QUOTE_EXPIRED", "QUOTE_ALREADY_USED", "QUOTE_MISMATCH", "CARD_REQUIRED",
	"CARD_NOT_ACTIVE", "CARD_CANCELLED", "INVALID_STATUS_CODE", "KYC_NOT_APPROVED",
	"KYC_ALREADY_APPROVED", "KYC_IN_PROGRESS", "CARD_LIMIT_REACHED",
	"CARD_FEE_UNPAID", "CARD_FEE_ALREADY_PAID", "PAYMENT_EXPIRED",
	"PAYMENT_NOT_PENDING",
	"COUPON_EXPIRED", "COUPON_USED", "COUPON_NOT_APPLICABLE",
	"COUPON_ALREADY_CLAIMED", "COUPON_LIMIT_REACHED",
	"ALREADY_PHYSICAL", "UPGRADE_IN_PROGRESS", "VERIFY_TOKEN_INVALID",
	"CHALLENGE_EXPIRED", "CHALLENGE_ALREADY_CONFIRMED", "CHALLENGE_NOT_CONFIRMABLE",
	"DEACTIVATION_BLOCKED", "IDEMPOTENCY_KEY_REQUIRED", "IDEMPOTENCY_CONFLICT",
	"IDEMPOTENCY_IN_PROGRESS", "APPLICATION_NOT_SHIPPED", "PAYLOAD_TOO_LARGE",
	"INTERNAL_ERROR", "ISSUER_UNAVAILABLE", "KYC_PROVIDER_UNAVAILABLE",
	"CARD_RECHARGE_FAILED", "CARD_WITHDRAW_FAILED", "EXCHANGE_RATE_UNAVAILABLE",
	"SERVICE_UNAVAILABLE",
}

// specTexts is every success message and label quoted in API.md §2 and
// §3.4.9 that the server emits in a localized field.
var specTexts = []string{
	"OK", "Operation successful",
	"OTP sent to your email. Please verify to continue registration.",
	"Email verified successfully. Please set your password to complete registration.",
	"Registration completed successfully. Please complete your profile.",
	"New OTP sent to your email",
	"OTP sent to your email. Please verify to log in.",
	"Login successful", "Token refreshed",
	"OTP sent to your email. Please verify to reset your password.",
	"OTP verified. Please set a new password.",
	"Password reset successfully", "Logged out successfully",
	"Profile retrieved successfully", "Profile updated successfully",
	"Password changed successfully", "OTP sent to your new email",
	"New email verified. OTP sent to your current email", "Email changed successfully",
	"OTP sent", "Phone verified. OTP sent to your email", "Phone number updated successfully",
	"Transaction password status retrieved successfully",
	"OTP sent to your email. Please verify to set your transaction password.",
	"Transaction password set successfully",
	"OTP sent to your email. Please verify to deactivate your account.",
	"Your account has been deactivated", "Device registered", "Push device unregistered",
	"Wallet retrieved successfully", "Withdrawal request submitted",
	"Transfer completed successfully", "Swap completed successfully",
	"Payment created successfully", "Payment completed successfully",
	"Card fee payment required before KYC verification",
	"KYC session created", "KYC not submitted", "KYC is under review",
	"KYC approved, no need to resubmit", "KYC rejected", "You can resubmit.",
	"Card application submitted", "Card account details retrieved successfully",
	"Card status modified successfully", "Transaction history retrieved successfully",
	"CVV retrieved successfully", "Full card number retrieved successfully",
	"PIN retrieved successfully", "PIN set successfully", "Delivery confirmed successfully",
	"Card 3DS authentication plan updated successfully", "3DS challenge confirmed",
	"Coupon claimed successfully",
	"Submitted to the card issuer", "Shipped", "Delivered",
	"Deposit", "Withdrawal", "Swap", "Card fee", "Physical card upgrade", "Transfer",
	"Commission", "Refund", "Fee", "Adjustment",
	"Pending", "Approved", "Completed", "Failed", "Cancelled", "Rejected", "Credited",
}

func TestParseAcceptLanguage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		header string
		want   Lang
	}{
		{"", EN},
		{"en", EN},
		{"en-US", EN},
		{"zh", ZH},
		{"zh-CN,zh;q=0.9", ZH},
		{"ZH-tw", ZH},
		{"ZH", ZH},
		{"zh_CN", ZH},
		{"ar-SA", AR},
		{"AR", AR},
		{" ar ; q=0.8 , en", AR},
		{"fr", EN},
		{"fr-FR,zh;q=0.9", EN},
		{"en;q=0.1, zh;q=0.9", EN},
		{"*", EN},
		{"zho", EN},
		{"arabic", EN},
		{",zh", EN},
		{";;;--,,", EN},
		{"\x00\xff garbage", EN},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			t.Parallel()
			if got := ParseAcceptLanguage(tt.header); got != tt.want {
				t.Errorf("ParseAcceptLanguage(%q) = %v, want %v", tt.header, got, tt.want)
			}
		})
	}
}

func TestParseLang(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in     string
		want   Lang
		wantOK bool
	}{
		{"en", EN, true},
		{"zh", ZH, true},
		{"ar", AR, true},
		{"EN", EN, true},
		{"Zh", ZH, true},
		{"aR", AR, true},
		{"", EN, false},
		{"fr", EN, false},
		{"zh-CN", EN, false},
		{" zh", EN, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, ok := ParseLang(tt.in)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("ParseLang(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestLangString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		l    Lang
		want string
	}{
		{EN, "en"},
		{ZH, "zh"},
		{AR, "ar"},
		{Lang(200), "en"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			t.Parallel()
			if got := tt.l.String(); got != tt.want {
				t.Errorf("Lang(%d).String() = %q, want %q", tt.l, got, tt.want)
			}
			if tt.l <= AR {
				if back, ok := ParseLang(tt.want); !ok || back != tt.l {
					t.Errorf("ParseLang(%q) = %v, %v; want %v, true", tt.want, back, ok, tt.l)
				}
			}
		})
	}
}

func TestText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		lang Lang
		en   string
		want string
	}{
		{"english is canonical", EN, "Login successful", "Login successful"},
		{"zh", ZH, "Login successful", "登录成功"},
		{"ar", AR, "Login successful", "تم تسجيل الدخول بنجاح"},
		{"spec zh push device", ZH, "Push device unregistered", "推送设备已注销"},
		{"spec zh operation", ZH, "Operation successful", "操作成功"},
		{"spec zh kyc approved", ZH, "KYC approved, no need to resubmit", "KYC已通过，无需重复提交"},
		{"unknown text zh", ZH, "No such message", "No such message"},
		{"unknown text ar", AR, "No such message", "No such message"},
		{"unknown text en", EN, "No such message", "No such message"},
		{"empty", ZH, "", ""},
		{"out of range lang", Lang(9), "Login successful", "Login successful"},
		{"case sensitive key", ZH, "login successful", "login successful"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Text(tt.lang, tt.en); got != tt.want {
				t.Errorf("Text(%v, %q) = %q, want %q", tt.lang, tt.en, got, tt.want)
			}
		})
	}
}

func TestErrorMessageAndSummary(t *testing.T) {
	t.Parallel()
	internal := errorsGeneral[internalErrorCode]
	tests := []struct {
		name        string
		lang        Lang
		code        string
		wantMessage string
		wantSummary string
	}{
		{"card fee en", EN, "CARD_FEE_UNPAID", "Please pay the card fee before applying for a card", "Card fee not paid"},
		{"card fee zh", ZH, "CARD_FEE_UNPAID", "申请卡片前请先支付开卡费", "Card fee not paid"},
		{"verify token en", EN, "VERIFY_TOKEN_INVALID", "The verification has expired, please verify again", "Invalid verify token"},
		{"validation", EN, "VALIDATION_FAILED", errorsGeneral["VALIDATION_FAILED"].en, "Validation failed"},
		{"credentials ar", AR, "INVALID_CREDENTIALS", errorsGeneral["INVALID_CREDENTIALS"].ar, "Invalid credentials"},
		{"unknown code en", EN, "NO_SUCH_CODE", internal.en, "Internal server error"},
		{"unknown code zh", ZH, "NO_SUCH_CODE", internal.zh, "Internal server error"},
		{"unknown code ar", AR, "NO_SUCH_CODE", internal.ar, "Internal server error"},
		{"empty code", ZH, "", internal.zh, "Internal server error"},
		{"codes are case sensitive", EN, "card_fee_unpaid", internal.en, "Internal server error"},
		{"out of range lang", Lang(9), "CARD_FEE_UNPAID", "Please pay the card fee before applying for a card", "Card fee not paid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := ErrorMessage(tt.lang, tt.code); got != tt.wantMessage {
				t.Errorf("ErrorMessage(%v, %q) = %q, want %q", tt.lang, tt.code, got, tt.wantMessage)
			}
			if got := ErrorSummary(tt.code); got != tt.wantSummary {
				t.Errorf("ErrorSummary(%q) = %q, want %q", tt.code, got, tt.wantSummary)
			}
		})
	}
}

// TestErrorCatalogueComplete checks that the catalogue holds exactly the
// API.md codes, each with every text present, in the right script and
// without placeholders.
func TestErrorCatalogueComplete(t *testing.T) {
	t.Parallel()
	all := map[string]errorText{}
	for _, catalogue := range errorCatalogues {
		for code, e := range catalogue {
			if _, dup := all[code]; dup {
				t.Errorf("code %s is defined in more than one catalogue", code)
			}
			all[code] = e
		}
	}
	want := map[string]bool{}
	for _, code := range catalogueCodes {
		if want[code] {
			t.Errorf("code %s listed twice in the test", code)
		}
		want[code] = true
		if _, ok := all[code]; !ok {
			t.Errorf("code %s missing from the catalogue", code)
		}
	}
	for code, e := range all {
		if !want[code] {
			t.Errorf("code %s is not in the API.md catalogue", code)
		}
		checkText(t, code+" summary", e.summary, nil)
		checkText(t, code+" en", e.en, nil)
		checkText(t, code+" zh", e.zh, unicode.Han)
		checkText(t, code+" ar", e.ar, unicode.Arabic)
	}
}

// TestTextCatalogueComplete checks that every text has both translations and
// that every message quoted in API.md is covered.
func TestTextCatalogueComplete(t *testing.T) {
	t.Parallel()
	all := map[string][2]string{}
	for _, catalogue := range textCatalogues {
		for en, tr := range catalogue {
			if _, dup := all[en]; dup {
				t.Errorf("text %q is defined in more than one catalogue", en)
			}
			all[en] = tr
			if isFormat(en) {
				continue // checked by TestNotificationFormats
			}
			checkText(t, "key "+en, en, nil)
			checkText(t, en+" zh", tr[0], unicode.Han)
			checkText(t, en+" ar", tr[1], unicode.Arabic)
		}
	}
	for _, en := range specTexts {
		if _, ok := all[en]; !ok {
			t.Errorf("text %q missing from the catalogue", en)
		}
	}
}

func checkText(t *testing.T, what, s string, script *unicode.RangeTable) {
	t.Helper()
	if strings.TrimSpace(s) == "" {
		t.Errorf("%s is empty", what)
		return
	}
	if strings.TrimSpace(s) != s {
		t.Errorf("%s has surrounding whitespace: %q", what, s)
	}
	if strings.ContainsAny(s, "<>{}%") {
		t.Errorf("%s contains a placeholder-like character: %q", what, s)
	}
	if script != nil && !strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(script, r) }) {
		t.Errorf("%s is not in the expected script: %q", what, s)
	}
}

func isFormat(s string) bool { return strings.Contains(s, "%") }

// TestNotificationFormats: every translation of a notification format takes
// exactly the English text's arguments, so rendering never shows %!s(MISSING)
// or %!(EXTRA …).
func TestNotificationFormats(t *testing.T) {
	t.Parallel()
	for en, tr := range textsNotifications {
		n := strings.Count(en, "%s")
		args := make([]any, n)
		for i := range args {
			args[i] = fmt.Sprintf("<arg%d>", i)
		}
		for i, s := range append([]string{en}, tr[0], tr[1]) {
			if strings.TrimSpace(s) == "" {
				t.Errorf("%q: translation %d is empty", en, i)
				continue
			}
			out := fmt.Sprintf(s, args...)
			if strings.Contains(out, "%!") {
				t.Errorf("%q: %q renders as %q", en, s, out)
			}
			for _, a := range args {
				if !strings.Contains(out, a.(string)) {
					t.Errorf("%q: %q drops %s", en, s, a)
				}
			}
		}
		scripts := []*unicode.RangeTable{unicode.Han, unicode.Arabic}
		for i, s := range tr {
			if !strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(scripts[i], r) }) {
				t.Errorf("%q: translation %q is not in the expected script", en, s)
			}
		}
	}
}
