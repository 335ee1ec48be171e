// Package i18n holds the response-language rules and the message catalogue
// of the public API (API.md §1.4 and §1.6).
//
// English is the canonical text: success messages and labels are keyed by
// their English text, error messages by their stable API code. A missing
// translation falls back to English. All catalogue data is immutable after
// package initialisation, so every function here is safe for concurrent use.
package i18n

import "strings"

// Lang is a supported response language.
type Lang uint8

// Supported languages. EN is the zero value and the fallback.
const (
	EN Lang = iota
	ZH
	AR
)

// String returns the language tag: "en", "zh" or "ar". An out-of-range
// value reports "en", the language it falls back to.
func (l Lang) String() string {
	switch l {
	case ZH:
		return "zh"
	case AR:
		return "ar"
	default:
		return "en"
	}
}

// ParseAcceptLanguage picks the language of the FIRST entry of an
// Accept-Language header value: only the primary subtag of that entry is
// considered (q-values are ignored), case-insensitively, so "zh-CN,zh;q=0.9"
// is ZH and "ar-SA" is AR. Anything else, empty or malformed is EN.
func ParseAcceptLanguage(header string) Lang {
	entry, _, _ := strings.Cut(header, ",")
	entry, _, _ = strings.Cut(entry, ";")
	entry = strings.TrimSpace(entry)
	primary := entry
	if i := strings.IndexAny(entry, "-_"); i >= 0 {
		primary = entry[:i]
	}
	if l, ok := ParseLang(primary); ok {
		return l
	}
	return EN
}

// ParseLang parses "en", "zh" or "ar" (case-insensitive, no surrounding
// whitespace) and reports ok=false for anything else, in which case the
// returned Lang is EN.
func ParseLang(s string) (Lang, bool) {
	switch {
	case strings.EqualFold(s, "en"):
		return EN, true
	case strings.EqualFold(s, "zh"):
		return ZH, true
	case strings.EqualFold(s, "ar"):
		return AR, true
	default:
		return EN, false
	}
}

// Text translates a canonical English message into lang. Unknown texts, and
// texts without a translation for lang, are returned unchanged.
func Text(lang Lang, en string) string {
	if lang != ZH && lang != AR {
		return en
	}
	for _, catalogue := range textCatalogues {
		if tr, ok := catalogue[en]; ok {
			if s := tr[lang-1]; s != "" {
				return s
			}
			return en
		}
	}
	return en
}

// ErrorMessage returns the user-facing localized message for an API error
// code such as "CARD_FEE_UNPAID". An unknown code returns the message of
// "INTERNAL_ERROR".
func ErrorMessage(lang Lang, code string) string {
	e := lookupError(code)
	var s string
	switch lang {
	case ZH:
		s = e.zh
	case AR:
		s = e.ar
	}
	if s == "" {
		return e.en
	}
	return s
}

// ErrorSummary returns the short English `error` summary for a code (e.g.
// "Card fee not paid"). An unknown code returns "Internal server error".
func ErrorSummary(code string) string {
	return lookupError(code).summary
}

// internalErrorCode is the code whose texts stand in for unknown codes.
const internalErrorCode = "INTERNAL_ERROR"

// errorText is one error-catalogue entry: the English `error` summary and
// the user-facing `message` in each language.
type errorText struct {
	summary, en, zh, ar string
}

// errorCatalogues are the error-code maps, split across files by area.
// A code appears in exactly one of them.
var errorCatalogues = [...]map[string]errorText{errorsGeneral, errorsMoney, errorsAdmin}

// textCatalogues are the success-text maps keyed by the English text; the
// value holds the {zh, ar} translations. A text appears in exactly one.
var textCatalogues = [...]map[string][2]string{textsAuthUser, textsOther, textsNotifications}

func lookupError(code string) errorText {
	for _, catalogue := range errorCatalogues {
		if e, ok := catalogue[code]; ok {
			return e
		}
	}
	return errorsGeneral[internalErrorCode]
}
