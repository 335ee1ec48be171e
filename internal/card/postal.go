package card

import (
	"regexp"

	"github.com/comecomepay/comecomepay/internal/apperr"
)

var (
	nameOnCardRE = regexp.MustCompile(`^[A-Z]+( [A-Z]+)*$`)
	dialCodeRE   = regexp.MustCompile(`^\+[0-9]{1,4}$`)
	phoneRE      = regexp.MustCompile(`^[0-9]{4,20}$`)
	postalCodeRE = regexp.MustCompile(`^[A-Za-z0-9 -]{1,16}$`)
	countryRE    = regexp.MustCompile(`^[A-Z]{2}$`)
)

// Check adds to f a reason for each postal field that breaks the issuer's
// mailing rules — the one set of rules for a physical card, whether applied
// for (POST /card/apply) or converted (PUT /card/convertToPhysical). An
// empty field is the caller's "is required" to report.
func (p Postal) Check(f apperr.Fields) {
	bad := func(name, v string, ok bool, reason string) {
		if v != "" && !ok {
			f.Add(name, reason)
		}
	}
	bad("name_on_card", p.NameOnCard, nameOnCardRE.MatchString(p.NameOnCard) && len(p.NameOnCard) >= 2 && len(p.NameOnCard) <= 26,
		"must be 2–26 upper-case letters A–Z and single spaces")
	bad("recipient", p.Recipient, len([]rune(p.Recipient)) <= 64, "must be at most 64 characters")
	bad("area_code", p.AreaCode, dialCodeRE.MatchString(p.AreaCode), "must be + and 1–4 digits")
	bad("phone", p.Phone, phoneRE.MatchString(p.Phone), "must be 4–20 digits")
	bad("postal_address", p.Address, len([]rune(p.Address)) <= 200, "must be at most 200 characters")
	bad("postal_city", p.City, len([]rune(p.City)) <= 64, "must be at most 64 characters")
	bad("postal_code", p.PostalCode, postalCodeRE.MatchString(p.PostalCode), "must be 1–16 letters, digits, spaces or dashes")
	bad("postal_country", p.Country, countryRE.MatchString(p.Country), "must be an upper-case ISO 3166-1 alpha-2 code")
}
