package kyc

import "strings"

// Decline reasons are this service's own short texts, chosen from the
// provider's stable codes: the provider's descriptions and reviewers'
// comments are prose that may quote the applicant's documents, so none of
// it reaches the user, the notification or the logs.
const (
	ReasonDeclined       = "Declined by the verification provider"
	ReasonManualReview   = "Declined after a manual review"
	reasonDocument       = "The identity document could not be verified"
	reasonLiveness       = "The liveness check did not pass"
	reasonFaceMatch      = "The selfie did not match the document photo"
	reasonScreening      = "The compliance screening did not pass"
	reasonExpiredDoc     = "The identity document has expired"
	reasonMinimumAge     = "The minimum age requirement is not met"
	reasonNotOriginal    = "A screen capture or copy was used instead of the original document"
	reasonAltered        = "The document appears to have been altered"
	reasonUnreadable     = "The document photo was not clear enough"
	reasonDataMismatch   = "The details given do not match the document"
	reasonDuplicate      = "This identity is already verified on another account"
	reasonUnsupportedDoc = "This type of document is not accepted"
)

// riskReasons are the risk codes whose meaning is known exactly.
var riskReasons = map[string]string{
	"DOCUMENT_EXPIRED":               reasonExpiredDoc,
	"MINIMUM_AGE_NOT_MET":            reasonMinimumAge,
	"SCREEN_CAPTURE_DETECTED":        reasonNotOriginal,
	"PRINTED_COPY_DETECTED":          reasonNotOriginal,
	"PUBLIC_DOCUMENT_IMAGE_DETECTED": reasonNotOriginal,
	"PORTRAIT_MANIPULATION_DETECTED": reasonAltered,
	"PORTRAIT_IMAGE_NOT_DETECTED":    reasonUnreadable,
}

// riskFamilies name a risk code by what it contains, for codes the table
// does not list (the provider adds codes over time); the first match wins.
var riskFamilies = []struct{ part, reason string }{
	{"DUPLICATE", reasonDuplicate}, {"EXPIRED", reasonExpiredDoc}, {"NOT_SUPPORTED", reasonUnsupportedDoc},
	{"MISMATCH", reasonDataMismatch}, {"INCONSISTEN", reasonDataMismatch}, {"BLUR", reasonUnreadable},
	{"QUALITY", reasonUnreadable}, {"GLARE", reasonUnreadable}, {"NOT_READABLE", reasonUnreadable},
	{"LIVENESS", reasonLiveness}, {"SPOOF", reasonLiveness}, {"FACE", reasonFaceMatch},
	{"SANCTION", reasonScreening}, {"PEP", reasonScreening}, {"AML", reasonScreening}, {"WATCHLIST", reasonScreening},
}

func riskReason(risk string) string {
	risk = strings.ToUpper(strings.TrimSpace(risk))
	if r, ok := riskReasons[risk]; ok {
		return r
	}
	for _, f := range riskFamilies {
		if strings.Contains(risk, f.part) {
			return f.reason
		}
	}
	return ""
}

// DeclineReason derives what a declined user reads: the first declined
// check (document, liveness, face match, screening, in that order) names
// it, by the risk code of its first decisive warning or else by the check
// itself; a decisive warning elsewhere comes next, then a manual decline,
// then a standard text.
func DeclineReason(d *ProviderDecision) string {
	if d == nil {
		return ReasonDeclined
	}
	groups := []struct {
		checks  []Check
		generic string
	}{
		{d.IDVerifications, reasonDocument}, {d.LivenessChecks, reasonLiveness},
		{d.FaceMatches, reasonFaceMatch}, {d.AMLScreenings, reasonScreening},
	}
	for _, g := range groups {
		for _, c := range g.checks {
			if !strings.EqualFold(c.Status, DiditDeclined) {
				continue
			}
			if r := warningReason(c.Warnings, true); r != "" {
				return r
			}
			if r := warningReason(c.Warnings, false); r != "" {
				return r
			}
			return g.generic
		}
	}
	for _, g := range groups {
		for _, c := range g.checks {
			if r := warningReason(c.Warnings, true); r != "" {
				return r
			}
		}
	}
	for _, rv := range d.Reviews {
		if strings.EqualFold(rv.NewStatus, DiditDeclined) {
			return ReasonManualReview
		}
	}
	return ReasonDeclined
}

// warningReason is the reason of the first warning with a known risk,
// among the decisive ones (log type "error") only, or among all.
func warningReason(ws []Warning, decisiveOnly bool) string {
	for _, w := range ws {
		if decisiveOnly && !strings.EqualFold(w.LogType, "error") {
			continue
		}
		if r := riskReason(w.Risk); r != "" {
			return r
		}
	}
	return ""
}
