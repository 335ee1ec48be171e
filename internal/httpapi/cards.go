package httpapi

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
)

// applyCard serves POST /card/apply (the product owner's contract, with the
// integer task_id of API.md).
func (s *Server) applyCard(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	raw, err := httpkit.ReadBody(r)
	if err != nil {
		return err
	}
	var b struct {
		Physical   *bool   `json:"physical"`
		NameOnCard *string `json:"name_on_card"`
		Recipient  *string `json:"recipient"`
		AreaCode   *string `json:"area_code"`
		Phone      *string `json:"phone"`
		Address    *string `json:"postal_address"`
		City       *string `json:"postal_city"`
		PostalCode *string `json:"postal_code"`
		Country    *string `json:"postal_country"`
	}
	if err := httpkit.DecodeJSON(raw, &b); err != nil {
		return err
	}
	in := card.ApplyInput{UserID: p.UserID, Physical: b.Physical != nil && *b.Physical}
	if in.Physical {
		f := httpkit.NewFields()
		in.Postal = card.Postal{NameOnCard: f.Required("name_on_card", b.NameOnCard), Recipient: f.Required("recipient", b.Recipient),
			AreaCode: f.Required("area_code", b.AreaCode), Phone: f.Required("phone", b.Phone),
			Address: f.Required("postal_address", b.Address), City: f.Required("postal_city", b.City),
			PostalCode: f.Required("postal_code", b.PostalCode), Country: f.Required("postal_country", b.Country)}
		in.Postal.Check(f.Fields)
		if err := f.Err(); err != nil {
			return err
		}
	}
	s.execute(w, r, p.UserID, raw, func(ctx context.Context, tx *sql.Tx) (int, any, error) {
		res, err := s.Cards.Apply(ctx, tx, s.Jobs, in)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, httpkit.OKB(r, "Card application submitted", struct {
			TaskID   int64 `json:"task_id"`
			KYCID    int64 `json:"kyc_id"`
			Physical bool  `json:"physical"`
		}{res.TaskID, res.KYCID, res.Physical}), nil
	})
	return nil
}

type progressItemJSON struct {
	CardID      int64  `json:"card_id"`
	PublicToken string `json:"public_token"`
	MaskedPAN   string `json:"masked_pan"`
	Currency    string `json:"currency"`
	KYCID       int64  `json:"kyc_id"`
	Status      string `json:"status"`
}

// cardApplyProgress serves GET /card/apply/progress/{task_id}.
func (s *Server) cardApplyProgress(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	taskID, err := strconv.ParseInt(r.PathValue("task_id"), 10, 64)
	if err != nil || taskID <= 0 {
		return card.ErrTaskNotFound.WithDetails("No such card application")
	}
	pr, err := s.Cards.Progress(r.Context(), p.UserID, taskID)
	if err != nil {
		return err
	}
	items := []progressItemJSON{}
	succeed, failed := 0, 0
	switch {
	case pr.Card != nil:
		succeed = 1
		items = append(items, progressItemJSON{pr.Card.ID, pr.Card.PublicToken, pr.Card.MaskedPAN, pr.Card.Currency, pr.KYCID, "succeed"})
	case pr.Status == card.TaskFailed:
		failed = 1
		items = append(items, progressItemJSON{0, "", "", "HKD", pr.KYCID, "failed"})
	}
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKB(r, "OK", struct {
		TaskID       int64              `json:"task_id"`
		Status       string             `json:"status"`
		Total        int                `json:"total"`
		Succeed      int                `json:"succeed"`
		Failed       int                `json:"failed"`
		FailReason   string             `json:"fail_reason"`
		CreatedAt    string             `json:"created_at"`
		CompletedAt  *string            `json:"completed_at"`
		LastPolledAt *string            `json:"last_polled_at"`
		List         []progressItemJSON `json:"list"`
	}{pr.TaskID, string(pr.Status), 1, succeed, failed, pr.FailReason, rfc3339(pr.CreatedAt), optTime(pr.CompletedAt), optTime(pr.LastPolledAt), items}))
	return nil
}

func optTime(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := rfc3339(*t)
	return &s
}

// listStatus maps a card's status onto the list's vocabulary.
func listStatus(st card.Status) string {
	if st == card.StatusNormal {
		return "active"
	}
	return string(st)
}

// listCards serves GET /card/list.
func (s *Server) listCards(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	include, _ := strconv.ParseBool(r.URL.Query().Get("include_cancelled"))
	cards, err := s.Cards.List(r.Context(), p.UserID, include)
	if err != nil {
		return err
	}
	type cardJSON struct {
		ID          int64       `json:"id"`
		PublicToken string      `json:"public_token"`
		CardNo      string      `json:"card_no"`
		CardScheme  string      `json:"card_scheme"`
		Currency    string      `json:"currency"`
		Status      string      `json:"status"`
		IsPhysical  bool        `json:"is_physical"`
		KYCID       int64       `json:"kyc_id"`
		Balance     json.Number `json:"balance"`
		CreatedAt   string      `json:"created_at"`
	}
	out := []cardJSON{}
	for _, c := range cards {
		out = append(out, cardJSON{c.ID, c.PublicToken, c.MaskedPAN, "visa", c.Currency, listStatus(c.Status), c.IsPhysical, c.KYCID,
			httpkit.Num(c.Balance, 2), rfc3339(c.CreatedAt)})
	}
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKB(r, "OK", struct {
		Total int        `json:"total"`
		Cards []cardJSON `json:"cards"`
	}{len(out), out}))
	return nil
}

// cardAccountDetails serves GET /card/account-details.
func (s *Server) cardAccountDetails(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	q := r.URL.Query()
	token, rawID := q.Get("public_token"), q.Get("card_id")
	var id int64
	if token == "" {
		n, err := strconv.ParseInt(rawID, 10, 64)
		if err != nil || n <= 0 {
			return apperr.Validation(map[string]string{"public_token": "public_token or card_id is required"})
		}
		id = n
	}
	c, err := s.Cards.Get(r.Context(), p.UserID, id, token)
	if err != nil {
		return err
	}
	ident, err := s.KYC.Identity(r.Context(), s.DB.SQL, c.KYCID)
	if err != nil {
		return err
	}
	v, err := s.Settings.Get(r.Context())
	if err != nil {
		return err
	}
	d := accountDetails(c, ident.Address, ident.PostCode, v)
	if err := s.fillPhysical(r.Context(), &d); err != nil {
		return err
	}
	if d.FailedTransactionCount, err = s.Cards.FailedThisMonth(r.Context(), c); err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKB(r, "Card account details retrieved successfully", d))
	return nil
}
