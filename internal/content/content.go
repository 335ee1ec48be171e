// Package content is the operator-managed content of the app: announcements
// with per-user read state, site texts (company intro, terms, privacy), the
// current app version per platform and the partner link (API.md §2.2, §2.8,
// §3.4.8). Operators edit it through the CLI until the admin API exists.
package content

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/i18n"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Errors (API.md §1.6).
var (
	ErrAnnouncementNotFound = apperr.New("ANNOUNCEMENT_NOT_FOUND")
	ErrAppVersionNotSet     = apperr.New("APP_VERSION_NOT_CONFIGURED")
)

// Size limits. They keep one row small enough to be served on every app
// start; rich texts (terms, privacy) get the most room.
const (
	maxTitleRunes   = 200
	maxContentBytes = 100 << 10
	maxSiteBytes    = 1 << 20
	maxNotesBytes   = 10 << 10
	maxNameRunes    = 100
	maxURLBytes     = 2048
)

// Languages are the languages content is kept in, in fallback order after
// the requested one: English first, then the others.
func Languages() []i18n.Lang { return []i18n.Lang{i18n.EN, i18n.ZH, i18n.AR} }

// langCount sizes the per-language arrays; i18n.Lang values index them.
const langCount = 3

// Service implements the content domain.
type Service struct {
	db  *store.DB
	now func() time.Time
}

// NewService returns a Service.
func NewService(db *store.DB, now func() time.Time) *Service { return &Service{db: db, now: now} }

// Platform is a mobile platform with its own app version.
type Platform string

// Platforms.
const (
	IOS     Platform = "ios"
	Android Platform = "android"
)

// ParsePlatform accepts "ios" or "android", case-insensitively.
func ParsePlatform(s string) (Platform, bool) {
	switch p := Platform(strings.ToLower(strings.TrimSpace(s))); p {
	case IOS, Android:
		return p, true
	}
	return "", false
}

// ParseVersion checks a MAJOR.MINOR.PATCH version: three decimal numbers
// without leading zeros (as semantic versioning requires) and without a
// pre-release or build suffix, which API.md does not allow.
func ParseVersion(s string) (string, error) {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return "", fmt.Errorf("version %q is not MAJOR.MINOR.PATCH", s)
	}
	for _, p := range parts {
		if p == "" || (len(p) > 1 && p[0] == '0') || strings.TrimLeft(p, "0123456789") != "" {
			return "", fmt.Errorf("version %q is not MAJOR.MINOR.PATCH (numbers without leading zeros)", s)
		}
		if _, err := strconv.ParseUint(p, 10, 32); err != nil {
			return "", fmt.Errorf("version %q has a component that is too large", s)
		}
	}
	return s, nil
}

// checkURL accepts an absolute https URL with a host: links are opened by
// the app outside our control, so plain http (and custom schemes) are
// refused rather than handed to users.
func checkURL(raw string) error {
	if len(raw) > maxURLBytes {
		return fmt.Errorf("must be at most %d bytes", maxURLBytes)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
		return fmt.Errorf("must be an absolute https URL")
	}
	return nil
}

// checkText validates an operator text: UTF-8 without NUL (PostgreSQL
// refuses NUL in text), at most maxBytes.
func checkText(s string, maxBytes int) error {
	if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
		return fmt.Errorf("must be UTF-8 text without NUL characters")
	}
	if len(s) > maxBytes {
		return fmt.Errorf("must be at most %d bytes", maxBytes)
	}
	return nil
}

// inLang picks texts[lang], falling back to English: the rule of the site
// texts and release notes (API.md §2.8), "" when neither is configured.
func inLang(texts [langCount]string, lang i18n.Lang) string {
	if int(lang) < langCount && texts[lang] != "" {
		return texts[lang]
	}
	return texts[i18n.EN]
}
