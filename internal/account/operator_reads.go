package account

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/comecomepay/comecomepay/internal/store"
)

// Reads for operators: finding users and the account part of a user's
// detail. Personal data beyond the e-mail is masked here (the phone) or left
// out (names, address, date of birth): those come only through
// PersonalDataTx, which the back office audits.

// UserQuery is a parsed operator search (GET /admin/users?q=): the same
// text is tried as an e-mail prefix, a user id and a phone number, and
// IDs adds users another domain resolved (a wallet id's owner).
type UserQuery struct {
	EmailPrefix string // lower case; "" = no e-mail term
	ID          int64  // 0 = the text is no user id
	PhoneDigits string // "" = the text is no phone number
	IDs         []int64
	Status      Status // "" = any
	// Empty is a query without text: every user matches.
	Empty bool
}

var phoneLike = regexp.MustCompile(`^\+?[0-9][0-9 ()-]*$`)

// NewUserQuery reads the search text: any text is an e-mail prefix
// (case-insensitive); digits are also a user id; a phone-looking text with
// at least 6 digits also matches phone numbers by their digits, with or
// without the area code.
func NewUserQuery(text string) UserQuery {
	t := strings.TrimSpace(text)
	if t == "" {
		return UserQuery{Empty: true}
	}
	q := UserQuery{EmailPrefix: strings.ToLower(t)}
	if id, err := strconv.ParseInt(t, 10, 64); err == nil && id > 0 {
		q.ID = id
	}
	if phoneLike.MatchString(t) {
		digits := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, t)
		if len(digits) >= 6 && len(digits) <= 24 {
			q.PhoneDigits = digits
		}
	}
	return q
}

// UserSummary is a row of the operators' user list.
type UserSummary struct {
	ID          int64
	Email       string
	PhoneMasked string
	Status      Status
	CreatedAt   time.Time
}

// SearchUsers lists the users a query matches, newest first, and the total.
func (s *Service) SearchUsers(ctx context.Context, uq UserQuery, limit, offset int) ([]UserSummary, int, error) {
	var (
		terms []string
		args  []any
	)
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if !uq.Empty {
		terms = append(terms, `email LIKE `+arg(likePrefix(uq.EmailPrefix))+` ESCAPE '\'`)
		ids := uq.IDs
		if uq.ID > 0 {
			ids = append(ids, uq.ID)
		}
		for _, id := range ids {
			terms = append(terms, `id = `+arg(id))
		}
		if uq.PhoneDigits != "" {
			p := arg(uq.PhoneDigits)
			terms = append(terms, `REPLACE(phone, '+', '') = `+p, `COALESCE(area_code, '') || REPLACE(phone, '+', '') = `+p)
		}
	}
	where := "TRUE"
	if len(terms) > 0 {
		where = "(" + strings.Join(terms, " OR ") + ")"
	}
	if uq.Status != "" {
		where += ` AND status = ` + arg(string(uq.Status))
	}
	var total int
	if err := s.DB.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("account: search users: count: %w", err)
	}
	rows, err := s.DB.SQL.QueryContext(ctx, `SELECT `+userColumns+` FROM users WHERE `+where+` ORDER BY id DESC
		LIMIT `+arg(limit)+` OFFSET `+arg(offset), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("account: search users: %w", err)
	}
	defer rows.Close()
	var out []UserSummary
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("account: search users: %w", err)
		}
		out = append(out, UserSummary{ID: u.ID, Email: u.Email, PhoneMasked: MaskPhone(u.AreaCode, u.Phone), Status: u.Status,
			CreatedAt: u.CreatedAt})
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("account: search users: %w", err)
	}
	return out, total, nil
}

// likePrefix is a LIKE pattern for the strings that start with prefix.
func likePrefix(prefix string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(prefix) + "%"
}

// MaskPhone shows the area code and the last four digits (+852****4567):
// enough to confirm a number with its owner, not to call it. "" when the
// user has no phone.
func MaskPhone(areaCode, phone *string) string {
	p := strings.TrimSpace(deref(phone))
	if p == "" {
		return ""
	}
	digits := strings.TrimPrefix(p, "+")
	last := digits
	if len(last) > 4 {
		last = last[len(last)-4:]
	}
	prefix := ""
	switch area := strings.TrimPrefix(strings.TrimSpace(deref(areaCode)), "+"); {
	case strings.HasPrefix(p, "+"):
		// An international number carries its own country code: show its
		// start, whatever area code the profile has.
		if len(digits) > 8 {
			prefix = "+" + digits[:2]
		}
	case area != "":
		prefix = "+" + area
	}
	return prefix + "****" + last
}

// AccountView is the account part of an operator's user detail.
type AccountView struct {
	ID            int64
	Email         string
	PhoneMasked   string
	Status        Status
	AccountType   string
	ReferralCode  string
	ReferredBy    *int64
	Language      string
	CreatedAt     time.Time
	LastLoginAt   *time.Time
	DeactivatedAt *time.Time
}

// AccountView returns a user's account for operators.
func (s *Service) AccountView(ctx context.Context, userID int64) (AccountView, error) {
	u, err := s.userByID(ctx, s.DB.SQL, userID)
	if err != nil {
		return AccountView{}, fmt.Errorf("account: view of user %d: %w", userID, notFound(err, ErrUserNotFound))
	}
	v := AccountView{ID: u.ID, Email: u.Email, PhoneMasked: MaskPhone(u.AreaCode, u.Phone), Status: u.Status,
		AccountType: u.AccountType, ReferralCode: u.ReferralCode, ReferredBy: u.ReferredBy}
	var lastLogin, deactivated time.Time
	if err := s.DB.SQL.QueryRowContext(ctx, `SELECT language, created_at, last_login_at, deactivated_at FROM users WHERE id = $1`, userID).
		Scan(&v.Language, store.TimeInto(&v.CreatedAt), store.TimeInto(&lastLogin), store.TimeInto(&deactivated)); err != nil {
		return AccountView{}, fmt.Errorf("account: view of user %d: %w", userID, store.NotFound(err))
	}
	if !lastLogin.IsZero() {
		v.LastLoginAt = &lastLogin
	}
	if !deactivated.IsZero() {
		v.DeactivatedAt = &deactivated
	}
	return v, nil
}

// ActiveSession is a live login of the user, without its tokens.
type ActiveSession struct {
	ID         string
	CreatedAt  time.Time
	LastSeenAt time.Time // the last token refresh (or the login)
	IP         string
	UserAgent  string
}

// ActiveSessions lists the user's sessions that can still be used: not
// revoked, and holding a refresh token that is neither used nor expired.
func (s *Service) ActiveSessions(ctx context.Context, userID int64) ([]ActiveSession, error) {
	rows, err := s.DB.SQL.QueryContext(ctx, `SELECT s.id, s.created_at, MAX(r.issued_at), s.ip, s.user_agent
		FROM sessions s JOIN refresh_tokens r ON r.session_id = s.id
		WHERE s.user_id = $1 AND s.revoked_at IS NULL AND r.used_at IS NULL AND r.expires_at > $2
		GROUP BY s.id, s.created_at, s.ip, s.user_agent ORDER BY s.created_at DESC, s.id`, userID, store.At(s.Now()))
	if err != nil {
		return nil, fmt.Errorf("account: active sessions of user %d: %w", userID, err)
	}
	defer rows.Close()
	var out []ActiveSession
	for rows.Next() {
		var a ActiveSession
		if err := rows.Scan(&a.ID, store.TimeInto(&a.CreatedAt), store.TimeInto(&a.LastSeenAt), &a.IP, &a.UserAgent); err != nil {
			return nil, fmt.Errorf("account: active sessions of user %d: %w", userID, err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("account: active sessions of user %d: %w", userID, err)
	}
	return out, nil
}

// PersonalData is what the profile holds of a person beyond the e-mail.
type PersonalData struct {
	FirstName       string `json:"first_name"`
	LastName        string `json:"last_name"`
	DateOfBirth     string `json:"date_of_birth"`
	AreaCode        string `json:"area_code"`
	Phone           string `json:"phone"`
	Address         string `json:"address"`
	City            string `json:"city"`
	State           string `json:"state"`
	PostCode        string `json:"post_code"`
	BillCountryCode string `json:"bill_country_code"`
}

// Present names the fields that hold a value: what a reveal shows, for its
// audit row (the names, never the values).
func (p PersonalData) Present() []string {
	var out []string
	for _, f := range []struct{ name, value string }{{"first_name", p.FirstName}, {"last_name", p.LastName},
		{"date_of_birth", p.DateOfBirth}, {"area_code", p.AreaCode}, {"phone", p.Phone}, {"address", p.Address}, {"city", p.City},
		{"state", p.State}, {"post_code", p.PostCode}, {"bill_country_code", p.BillCountryCode}} {
		if f.value != "" {
			out = append(out, f.name)
		}
	}
	return out
}

// PersonalDataTx reads a user's personal data in the caller's transaction,
// the one that records the operator's reveal.
func (s *Service) PersonalDataTx(ctx context.Context, tx *sql.Tx, userID int64) (PersonalData, error) {
	u, err := s.userByID(ctx, tx, userID)
	if err != nil {
		return PersonalData{}, fmt.Errorf("account: personal data of user %d: %w", userID, notFound(err, ErrUserNotFound))
	}
	return PersonalData{FirstName: deref(u.FirstName), LastName: deref(u.LastName), DateOfBirth: deref(u.DateOfBirth),
		AreaCode: deref(u.AreaCode), Phone: deref(u.Phone), Address: deref(u.Address), City: deref(u.City), State: deref(u.State),
		PostCode: deref(u.PostCode), BillCountryCode: deref(u.BillCountryCode)}, nil
}
