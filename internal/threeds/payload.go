package threeds

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"

	"github.com/comecomepay/comecomepay/internal/platform/jsonx"
)

// Event is the issuer's 3DS challenge webhook (API.md §2.11.4). Its three
// Thredd variants share this shape: DelegateSCANotification (BIO,
// DelegateMethod "push-confirmation"), DelegateOTPNotification (with
// Passcode) and DelegateSCACancelNotification (IsCancel). Keys match in any
// casing (encoding/json folds case, so NotificationId, notificationId and
// notificationid are one key; a body naming one twice in two casings is
// refused before decoding by the duplicate-name check). Fields the issuer
// may send either as a string or as a number are read as jsonx.Text.
type Event struct {
	// NotificationType or MessageType, when the forward names its Thredd
	// variant (DelegateSCACancelNotification for a cancellation).
	NotificationType       string     `json:"NotificationType"`
	MessageType            string     `json:"MessageType"`
	NotificationID         string     `json:"NotificationId"`
	DelegateStatus         string     `json:"DelegateStatus"`
	Pubtoken               jsonx.Text `json:"Pubtoken"`
	DelegateMethod         string     `json:"DelegateMethod"`
	Passcode               string     `json:"Passcode"`
	FinancialInstitutionID string     `json:"FinancialInstitutionId"`
	DelegateScaID          string     `json:"delegateScaId"`
	Language               string     `json:"language"`
	CardScheme             string     `json:"cardScheme"`
	CreatedMode            string     `json:"CreatedMode"`
	Status                 jsonx.Text `json:"status"`
	Device                 struct {
		Channel  string `json:"Channel"`
		IP       string `json:"IP"`
		Language string `json:"Language"`
	} `json:"Device"`
	MerchantInfo struct {
		ChallengePreference jsonx.Text `json:"ChallengePreference"`
		Country             jsonx.Text `json:"Country"`
		ID                  jsonx.Text `json:"Id"`
		Name                string     `json:"Name"`
		RedirectAppURL      string     `json:"RedirectAppUrl"`
		URL                 string     `json:"Url"`
	} `json:"MerchantInfo"`
	TransactionInfo struct {
		Amount   jsonx.Text `json:"Amount"`
		Currency struct {
			Code     jsonx.Text `json:"Code"`
			Exponent jsonx.Text `json:"Exponent"`
		} `json:"Currency"`
		ChallengeExpiresAfter jsonx.Text `json:"ChallengeExpiresAfter"`
		ChallengeExpiry       jsonx.Text `json:"ChallengeExpiry"`
		ChallengedAt          jsonx.Text `json:"ChallengedAt"`
		Date                  jsonx.Text `json:"Date"`
		DsTransactionID       jsonx.Text `json:"DsTransactionId"`
		Token                 jsonx.Text `json:"Token"`
	} `json:"TransactionInfo"`

	// PasscodeSealed replaces Passcode in what we store (see Inbound).
	PasscodeSealed string `json:"PasscodeSealed"`
}

// textInt64 parses a Text holding an integer.
func textInt64(l jsonx.Text) (int64, bool) {
	n, err := strconv.ParseInt(string(l), 10, 64)
	return n, err == nil
}

var notificationIDRE = regexp.MustCompile(`^[A-Za-z0-9-]{1,64}$`)

// ParseEvent decodes and checks a challenge payload: NotificationId and a
// numeric Pubtoken are required (a cancellation names the challenge by its
// NotificationId; its Pubtoken, if any, must still be a number).
func ParseEvent(raw []byte) (Event, error) {
	var ev Event
	if err := json.Unmarshal(raw, &ev); err != nil {
		return Event{}, apperr.Validation(map[string]string{"body": "must be a 3DS challenge JSON object"})
	}
	f := apperr.Fields{}
	if !notificationIDRE.MatchString(ev.NotificationID) {
		f.Add("NotificationId", "must be the issuer's notification id (UUID)")
	}
	if n, err := strconv.ParseUint(string(ev.Pubtoken), 10, 64); (err != nil || n == 0) && !(ev.IsCancel() && ev.Pubtoken == "") {
		f.Add("Pubtoken", "must be a positive integer")
	}
	if err := f.Err(); err != nil {
		return Event{}, err
	}
	return ev, nil
}

// cancelVariant is Thredd's name of the cancellation notification.
const cancelVariant = "DelegateSCACancelNotification"

// IsCancel reports a DelegateSCACancelNotification: the forward names the
// variant, or its DelegateStatus says the delegation was cancelled.
func (ev Event) IsCancel() bool {
	for _, v := range []string{ev.NotificationType, ev.MessageType} {
		if strings.EqualFold(strings.TrimSpace(v), cancelVariant) {
			return true
		}
	}
	st := strings.TrimSpace(ev.DelegateStatus)
	return strings.EqualFold(st, "Cancelled") || strings.EqualFold(st, "Canceled")
}

// InboxKey is the event's key in the webhook inbox: the NotificationId,
// with a suffix for a cancellation, which names the challenge it ends by
// the same id and must not be taken for a repeat of it.
func (ev Event) InboxKey() string {
	if ev.IsCancel() {
		return ev.NotificationID + ":cancel"
	}
	return ev.NotificationID
}

// PublicToken is the card handle as the decimal string cards are kept by.
func (ev Event) PublicToken() string {
	n, _ := strconv.ParseUint(string(ev.Pubtoken), 10, 64)
	return strconv.FormatUint(n, 10)
}

// Method maps DelegateMethod onto OTP or BIO.
func (ev Event) Method() Method {
	if strings.EqualFold(strings.TrimSpace(ev.DelegateMethod), "push-confirmation") {
		return MethodBIO
	}
	return MethodOTP
}

// defaultExpiresAfter is the challenge lifetime when the issuer names none.
const defaultExpiresAfter = 300

// Expiry returns the challenge lifetime in seconds and its end: the issuer's
// ChallengeExpiry when given, else received + ChallengeExpiresAfter.
func (ev Event) Expiry(received time.Time) (int64, time.Time) {
	after, ok := textInt64(ev.TransactionInfo.ChallengeExpiresAfter)
	if !ok || after <= 0 {
		after = 0
	}
	if at, ok := textInt64(ev.TransactionInfo.ChallengeExpiry); ok && at > 0 {
		end := time.Unix(at, 0).UTC()
		if after == 0 {
			after = max(int64(end.Sub(received)/time.Second), 0)
		}
		return after, end
	}
	if after == 0 {
		after = defaultExpiresAfter
	}
	return after, received.Add(time.Duration(after) * time.Second)
}

// Currency returns the alpha code (or the numeric code when unknown) and the
// exponent amounts are formatted with.
func (ev Event) Currency() (string, int) {
	code := strings.ToUpper(string(ev.TransactionInfo.Currency.Code))
	c, known := currencyByCode(code)
	name := code
	if known {
		name = c.Alpha
	}
	if e, ok := textInt64(ev.TransactionInfo.Currency.Exponent); ok && e >= 0 && e <= 6 {
		return name, int(e)
	}
	if known {
		return name, c.Exponent
	}
	return name, 2
}

// FormattedAmount renders Amount with exactly the currency exponent
// ("100" → "100.00"); an amount that cannot be read is kept as sent.
func (ev Event) FormattedAmount() string {
	_, exp := ev.Currency()
	return FormatAmount(string(ev.TransactionInfo.Amount), exp)
}

var decimalRE = regexp.MustCompile(`^([0-9]+)(?:\.([0-9]+))?$`)

// FormatAmount renders a plain decimal with exp fractional digits, padding
// with zeros or dropping trailing zeros; significant digits are never cut.
func FormatAmount(amount string, exp int) string {
	m := decimalRE.FindStringSubmatch(amount)
	if m == nil {
		return amount
	}
	whole, frac := strings.TrimLeft(m[1], "0"), m[2]
	if whole == "" {
		whole = "0"
	}
	for len(frac) > exp && strings.HasSuffix(frac, "0") {
		frac = frac[:len(frac)-1]
	}
	frac += strings.Repeat("0", max(exp-len(frac), 0))
	if frac == "" {
		return whole
	}
	return whole + "." + frac
}

// Inbound prepares a verified challenge delivery for the webhook inbox: it
// returns the event key (NotificationId) and the payload to store, in which
// the passcode is replaced by its sealed form so the code never rests in
// clear text, not even in the inbox.
func (s *Service) Inbound(raw []byte) (key string, stored []byte, err error) {
	ev, err := ParseEvent(raw)
	if err != nil {
		return "", nil, err
	}
	if ev.Passcode == "" {
		return ev.InboxKey(), raw, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return "", nil, apperr.Validation(map[string]string{"body": "must be a JSON object"})
	}
	for k := range m {
		if strings.EqualFold(k, "Passcode") {
			delete(m, k)
		}
	}
	sealed, _ := json.Marshal(s.Box.Seal([]byte(ev.Passcode), passcodeAD(ev.NotificationID)))
	m["PasscodeSealed"] = sealed
	if stored, err = json.Marshal(m); err != nil {
		return "", nil, fmt.Errorf("threeds: challenge %s: encode: %w", ev.NotificationID, err)
	}
	return ev.InboxKey(), stored, nil
}

// Currency is an ISO 4217 currency the issuer may name by numeric code.
type Currency struct {
	Alpha    string
	Numeric  string
	Exponent int
}

// currencies are the ISO 4217 codes card purchases in the programme's
// markets commonly use; others are shown by their numeric code.
var currencies = []Currency{
	{"HKD", "344", 2}, {"CNY", "156", 2}, {"USD", "840", 2}, {"EUR", "978", 2}, {"GBP", "826", 2},
	{"JPY", "392", 0}, {"KRW", "410", 0}, {"SGD", "702", 2}, {"TWD", "901", 2}, {"MOP", "446", 2},
	{"AUD", "036", 2}, {"CAD", "124", 2}, {"CHF", "756", 2}, {"NZD", "554", 2}, {"THB", "764", 2},
	{"MYR", "458", 2}, {"PHP", "608", 2}, {"IDR", "360", 2}, {"VND", "704", 0}, {"INR", "356", 2},
	{"AED", "784", 2}, {"SAR", "682", 2},
}

// currencyByCode finds a currency by alpha or numeric code.
func currencyByCode(code string) (Currency, bool) {
	code = strings.ToUpper(strings.TrimSpace(code))
	for _, c := range currencies {
		if c.Alpha == code || c.Numeric == code || (len(code) < 3 && len(code) > 0 && c.Numeric == strings.Repeat("0", 3-len(code))+code) {
			return c, true
		}
	}
	return Currency{}, false
}

// LookupCurrency finds a currency by alpha or numeric code (the sandbox
// helper accepts both).
func LookupCurrency(code string) (Currency, bool) { return currencyByCode(code) }

// ChallengeSpec describes a purchase for which an issuer raises a
// challenge; the sandbox issuer builds its webhook from one.
type ChallengeSpec struct {
	PublicToken  string
	BIO          bool
	Amount       string // plain decimal
	Currency     Currency
	MerchantName string
	ExpiresAfter int // seconds
}
