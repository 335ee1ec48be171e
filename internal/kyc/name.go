package kyc

import "regexp"

var latinName = regexp.MustCompile(`^[A-Z]+( [A-Z]+)*$`)

// ValidName reports whether n can be an applicant's first or last name for
// the issuer: 1–50 upper-case Latin letters, single spaces between words.
func ValidName(n string) bool { return latinName.MatchString(n) && len(n) <= 50 }
