package notification

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/i18n"
)

// Operator messages (API.md §3.6, type ""): free-form texts an operator
// sends to one user or broadcasts to many.

// Limits of an operator message: a push shows a short title and a few
// lines; the data travels in every push payload, which providers cap at
// about 4 KiB.
const (
	maxTitleRunes = 200
	maxBodyRunes  = 2000
	maxDataBytes  = 2048
)

// Message is an operator's free-form notification.
type Message struct {
	Title string
	Body  string
	// Data is a JSON object (the app reads the notification's data as one);
	// nil or JSON null means none ("{}").
	Data json.RawMessage
}

// Check trims the texts and refuses what the app could not show: empty or
// over-long texts, text that is not UTF-8 (or holds NUL, which PostgreSQL
// refuses), and data that is not one JSON object.
func (m Message) Check() (Message, error) {
	f := apperr.Fields{}
	m.Title, m.Body = strings.TrimSpace(m.Title), strings.TrimSpace(m.Body)
	for name, v := range map[string]struct {
		s   string
		max int
	}{"title": {m.Title, maxTitleRunes}, "body": {m.Body, maxBodyRunes}} {
		switch n := utf8.RuneCountInString(v.s); {
		case !utf8.ValidString(v.s) || strings.ContainsRune(v.s, 0):
			f.Add(name, "must be UTF-8 text without NUL characters")
		case n == 0 || n > v.max:
			f.Add(name, fmt.Sprintf("must be 1–%d characters", v.max))
		}
	}
	raw := bytes.TrimSpace(m.Data)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		m.Data = json.RawMessage("{}")
	case raw[0] != '{' || !json.Valid(raw):
		f.Add("data", "must be a JSON object")
	case len(raw) > maxDataBytes:
		f.Add("data", fmt.Sprintf("must be at most %d bytes of JSON", maxDataBytes))
	default:
		m.Data = raw
	}
	return m, f.Err()
}

// SendOperatorMessage notifies one user in the caller's transaction (and
// queues its push, like every notification) and returns its id. The texts
// are stored as written: an operator writes in the language they choose.
func (s *Store) SendOperatorMessage(ctx context.Context, tx *sql.Tx, userID int64, m Message) (int64, error) {
	m, err := m.Check()
	if err != nil {
		return 0, err
	}
	id, err := s.Create(ctx, tx, operatorNew(userID, m))
	if err != nil {
		return 0, fmt.Errorf("notification: operator message to user %d: %w", userID, err)
	}
	return id, nil
}

// operatorNew is the notification of m for one user. Its texts are no
// catalogue formats: Args stays empty so a "%" is kept as written.
func operatorNew(userID int64, m Message) New {
	return New{UserID: userID, Type: TypeOperatorMessage, Title: m.Title, Body: m.Body, Data: m.Data}
}

// Audience chooses the users a broadcast reaches. The zero value is every
// user whose account is not closed; each field set narrows it.
type Audience struct {
	// Status: "active" or "frozen"; "" both.
	Status string `json:"status,omitempty"`
	// Language: the language the user reads notifications in (en, zh, ar).
	Language string `json:"language,omitempty"`
	// RegisteredFrom and RegisteredTo bound the registration time
	// (RegisteredTo excluded).
	RegisteredFrom *time.Time `json:"registered_from,omitempty"`
	RegisteredTo   *time.Time `json:"registered_to,omitempty"`
}

// Check refuses a filter that names no possible audience.
func (a Audience) Check() error {
	f := apperr.Fields{}
	if a.Status != "" && !slices.Contains([]string{"active", "frozen"}, a.Status) {
		f.Add("filter.status", "must be active or frozen")
	}
	if a.Language != "" {
		if l, ok := i18n.ParseLang(a.Language); !ok || l.String() != a.Language {
			f.Add("filter.language", "must be en, zh or ar")
		}
	}
	if a.RegisteredFrom != nil && a.RegisteredTo != nil && !a.RegisteredFrom.Before(*a.RegisteredTo) {
		f.Add("filter.registered_to", "must be after registered_from")
	}
	return f.Err()
}
