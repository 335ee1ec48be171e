package adminapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/kyc"
	"github.com/comecomepay/comecomepay/internal/operator"
)

// stamp is a time as the API writes it (API.md §1.8: RFC 3339, UTC, seconds).
func stamp(t time.Time) string { return t.UTC().Truncate(time.Second).Format(time.RFC3339) }

func optStamp(t *time.Time) *string {
	if t == nil || t.IsZero() {
		return nil
	}
	s := stamp(*t)
	return &s
}

type userRowView struct {
	ID          int64  `json:"id"`
	Email       string `json:"email"`
	PhoneMasked string `json:"phone_masked"`
	Status      string `json:"status"`
	WalletID    string `json:"wallet_id"`
	KYCStatus   string `json:"kyc_status"`
	CreatedAt   string `json:"created_at"`
}

var userStatuses = map[account.Status]bool{account.StatusActive: true, account.StatusFrozen: true, account.StatusDeactivated: true}

// searchUsers: GET /admin/users?q=&status= — q is tried as an e-mail prefix
// (any case), a user id, a wallet id and a phone number (its digits, with or
// without the area code); no q lists every user. Newest first.
func (a *API) searchUsers(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	pageNo, size, err := httpkit.PageParams(r, "page_size")
	if err != nil {
		return err
	}
	status := account.Status(r.URL.Query().Get("status"))
	if status != "" && !userStatuses[status] {
		f := httpkit.NewFields()
		f.Add("status", "one of active, frozen, deactivated")
		return f.Err()
	}
	rows, total, err := a.Office.SearchUsers(r.Context(), r.URL.Query().Get("q"), status, pageNo, size)
	if err != nil {
		return err
	}
	items := make([]userRowView, 0, len(rows))
	for _, u := range rows {
		items = append(items, userRowView{ID: u.ID, Email: u.Email, PhoneMasked: u.PhoneMasked, Status: string(u.Status),
			WalletID: u.WalletID, KYCStatus: string(u.KYCStatus), CreatedAt: stamp(u.CreatedAt)})
	}
	return ok(w, r, http.StatusOK, newPage(items, pageNo, size, total))
}

type kycRecordView struct {
	ID            int64  `json:"id"`
	UserID        int64  `json:"user_id"`
	Status        string `json:"status"`
	PokepayStatus int    `json:"pokepay_status"`
	FailReason    string `json:"fail_reason"`
	Decidable     bool   `json:"decidable"`
	CreatedAt     string `json:"created_at"`
	UpdatedAt     string `json:"updated_at"`
}

func viewKYCRecord(r kyc.Record) kycRecordView {
	return kycRecordView{ID: r.ID, UserID: r.UserID, Status: string(r.Status), PokepayStatus: r.PokepayStatus, FailReason: r.FailReason,
		Decidable: kyc.Decidable(r.Status), CreatedAt: stamp(r.CreatedAt), UpdatedAt: stamp(r.UpdatedAt)}
}

type balanceView struct {
	Currency  string      `json:"currency"`
	Available json.Number `json:"available"`
	Held      json.Number `json:"held"`
}

type userCardView struct {
	ID            int64       `json:"id"`
	PublicToken   string      `json:"public_token"`
	MaskedPAN     string      `json:"masked_pan"`
	Status        string      `json:"status"`
	IsPhysical    bool        `json:"is_physical"`
	Balance       json.Number `json:"balance"`
	Currency      string      `json:"currency"`
	LockedByAdmin bool        `json:"locked_by_admin"`
	CreatedAt     string      `json:"created_at"`
}

type userSessionView struct {
	ID         string `json:"id"`
	CreatedAt  string `json:"created_at"`
	LastSeenAt string `json:"last_seen_at"`
	IP         string `json:"ip"`
	UserAgent  string `json:"user_agent"`
}

type historyView struct {
	ID          int64       `json:"id"`
	Type        string      `json:"type"`
	Status      string      `json:"status"`
	Amount      json.Number `json:"amount"`
	Currency    string      `json:"currency"`
	Fee         json.Number `json:"fee"`
	Description string      `json:"description"`
	Reference   string      `json:"reference"`
	TxHash      string      `json:"tx_hash"`
	CreatedAt   string      `json:"created_at"`
	CompletedAt *string     `json:"completed_at"`
}

type userDetailView struct {
	User struct {
		ID            int64   `json:"id"`
		Email         string  `json:"email"`
		PhoneMasked   string  `json:"phone_masked"`
		Status        string  `json:"status"`
		AccountType   string  `json:"account_type"`
		ReferralCode  string  `json:"referral_code"`
		ReferredBy    *int64  `json:"referred_by"`
		Language      string  `json:"language"`
		WalletID      string  `json:"wallet_id"`
		CreatedAt     string  `json:"created_at"`
		LastLoginAt   *string `json:"last_login_at"`
		DeactivatedAt *string `json:"deactivated_at"`
	} `json:"user"`
	KYC struct {
		Status string         `json:"status"`
		Level  int            `json:"level"`
		Latest *kycRecordView `json:"latest"`
	} `json:"kyc"`
	Balances []balanceView  `json:"balances"`
	Cards    []userCardView `json:"cards"`
	Sessions struct {
		Active int               `json:"active"`
		Items  []userSessionView `json:"items"`
	} `json:"sessions"`
	Limits       account.Limits       `json:"limits"`
	FeeExemption account.FeeExemption `json:"fee_exemption"`
	History      page[historyView]    `json:"history"`
}

// historyPage reads history_page and history_page_size, the paging of the
// detail's history (the defaults and clamp of every list).
func historyPage(r *http.Request) (pageNo, size int, err error) {
	f := httpkit.NewFields()
	pageNo, size = 1, 20
	for name, dst := range map[string]*int{"history_page": &pageNo, "history_page_size": &size} {
		if v := r.URL.Query().Get(name); v != "" {
			n, e := strconv.Atoi(v)
			if e != nil || n < 1 {
				f.Add(name, "must be a positive integer")
			}
			*dst = n
		}
	}
	return pageNo, min(size, 100), f.Err()
}

// userDetail: GET /admin/users/{id}?history_page=&history_page_size=.
func (a *API) userDetail(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	id, err := pathID(r, "id", account.ErrUserNotFound)
	if err != nil {
		return err
	}
	hPage, hSize, err := historyPage(r)
	if err != nil {
		return err
	}
	d, err := a.Office.UserDetail(r.Context(), id, hPage, hSize)
	if err != nil {
		return err
	}
	var v userDetailView
	u := &v.User
	u.ID, u.Email, u.PhoneMasked, u.Status, u.AccountType = d.Account.ID, d.Account.Email, d.Account.PhoneMasked,
		string(d.Account.Status), d.Account.AccountType
	u.ReferralCode, u.ReferredBy, u.Language, u.WalletID = d.Account.ReferralCode, d.Account.ReferredBy, d.Account.Language, d.WalletID
	u.CreatedAt, u.LastLoginAt, u.DeactivatedAt = stamp(d.Account.CreatedAt), optStamp(d.Account.LastLoginAt), optStamp(d.Account.DeactivatedAt)
	v.KYC.Status, v.KYC.Level = string(d.KYCStatus), d.KYCLevel
	if d.LatestKYC != nil {
		rec := viewKYCRecord(*d.LatestKYC)
		v.KYC.Latest = &rec
	}
	v.Balances = []balanceView{}
	for _, b := range d.Balances {
		v.Balances = append(v.Balances, balanceView{Currency: b.Currency.Name, Available: httpkit.Num(b.Available, b.Currency.Decimals),
			Held: httpkit.Num(b.Held, b.Currency.Decimals)})
	}
	v.Cards = []userCardView{}
	for _, c := range d.Cards {
		v.Cards = append(v.Cards, userCardView{ID: c.ID, PublicToken: c.PublicToken, MaskedPAN: c.MaskedPAN, Status: string(c.Status),
			IsPhysical: c.IsPhysical, Balance: httpkit.Num(c.Balance, 2), Currency: c.Currency, LockedByAdmin: c.LockedByAdmin,
			CreatedAt: stamp(c.CreatedAt)})
	}
	v.Sessions.Active, v.Sessions.Items = len(d.Sessions), []userSessionView{}
	for _, s := range d.Sessions {
		v.Sessions.Items = append(v.Sessions.Items, userSessionView{ID: s.ID, CreatedAt: stamp(s.CreatedAt), LastSeenAt: stamp(s.LastSeenAt),
			IP: s.IP, UserAgent: s.UserAgent})
	}
	v.Limits, v.FeeExemption = d.Overrides.Limits, d.Overrides.FeeExemption
	items := make([]historyView, 0, len(d.History))
	for _, h := range d.History {
		items = append(items, historyView{ID: h.ID, Type: string(h.Type), Status: string(h.Status), Amount: httpkit.Num(h.Amount, h.Decimals),
			Currency: h.Currency, Fee: httpkit.Num(h.Fee, h.Decimals), Description: h.Description, Reference: h.Reference, TxHash: h.TxHash,
			CreatedAt: stamp(h.CreatedAt), CompletedAt: optStamp(h.CompletedAt)})
	}
	v.History = newPage(items, hPage, hSize, d.HistoryTotal)
	return ok(w, r, http.StatusOK, v)
}
