package account

import (
	"context"
	"fmt"

	"github.com/comecomepay/comecomepay/internal/i18n"
	"github.com/comecomepay/comecomepay/internal/store"
)

// RememberLanguage keeps the language of an authenticated request when it
// differs from the one on record: notifications are written in the user's
// last language (API.md §2.8).
func (s *Service) RememberLanguage(ctx context.Context, p Principal, lang i18n.Lang) error {
	code := lang.String()
	if code == p.Language {
		return nil
	}
	if err := s.setLanguage(ctx, s.DB.SQL, p.UserID, code); err != nil {
		return fmt.Errorf("account: remember language: %w", err)
	}
	return nil
}

// Language returns the user's last language (English when unknown).
func (s *Service) Language(ctx context.Context, q store.Querier, userID int64) (i18n.Lang, error) {
	code, err := s.storedLanguage(ctx, q, userID)
	if err != nil {
		return i18n.EN, fmt.Errorf("account: language: %w", err)
	}
	lang, _ := i18n.ParseLang(code)
	return lang, nil
}

// StatusAndLanguage returns the account's status and the language its
// notifications are written in (English when unknown) in one read, for a
// payment that checks its recipient and then notifies them;
// store.ErrNotFound when there is no such user.
func (s *Service) StatusAndLanguage(ctx context.Context, q store.Querier, userID int64) (Status, i18n.Lang, error) {
	var status, code string
	err := q.QueryRowContext(ctx, `SELECT status, language FROM users WHERE id = $1`, userID).Scan(&status, &code)
	if err != nil {
		return "", i18n.EN, fmt.Errorf("account: status and language: %w", store.NotFound(err))
	}
	lang, _ := i18n.ParseLang(code)
	return Status(status), lang, nil
}
