package httpapi

import (
	"context"
	"net/http"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/i18n"
)

// issuerStatusNames are the issuer's names of each status code (API.md §2.6).
var issuerStatusNames = map[card.IssuerCode]struct{ cardStatus, name, description string }{
	card.CodeActive:    {"Active", "Active", "Card active"},
	card.CodeFrozen:    {"ShortTermDebitBlock", "Frozen", "Card temporarily frozen by cardholder"},
	card.CodeCancelled: {"Closed", "Cancelled", "Card cancelled by cardholder"},
}

// getCardStatus serves GET /card/status.
func (s *Server) getCardStatus(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	token := r.URL.Query().Get("public_token")
	if token == "" {
		return apperr.Validation(map[string]string{"public_token": "is required"})
	}
	c, err := s.Cards.Get(r.Context(), p.UserID, 0, token)
	if err != nil {
		return err
	}
	code := card.StatusCode(c.Status)
	name := issuerStatusNames[code].name
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKB(r, "OK", struct {
		CardID      string `json:"card_id"`
		Status      string `json:"status"`
		Code        string `json:"card_status_code"`
		Description string `json:"card_status_description"`
	}{c.PublicToken, name, string(code), string(code) + " (" + name + ")"}))
	return nil
}

// putCardStatus serves PUT /card/status. The issuer call happens outside
// any transaction, so the idempotency record follows the effect.
func (s *Server) putCardStatus(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	raw, err := httpkit.ReadBody(r)
	if err != nil {
		return err
	}
	var b struct {
		PublicToken *string `json:"public_token"`
		Code        *string `json:"card_status_code"`
	}
	if err := httpkit.DecodeJSON(raw, &b); err != nil {
		return err
	}
	f := httpkit.NewFields()
	token, code := f.Required("public_token", b.PublicToken), f.Required("card_status_code", b.Code)
	if err := f.Err(); err != nil {
		return err
	}
	s.executeOnce(w, r, p.UserID, raw, func(ctx context.Context) (int, any, error) {
		ch, err := s.Cards.SetStatus(ctx, p.UserID, token, card.IssuerCode(code))
		if err != nil {
			return 0, nil, err
		}
		names := issuerStatusNames[ch.Code]
		return http.StatusOK, httpkit.OKB(r, "Card status modified successfully", struct {
			PublicToken string `json:"public_token"`
			CardStatus  string `json:"card_status"`
			Code        string `json:"card_status_code"`
			StatusName  string `json:"status_name"`
			Description string `json:"description"`
			Updated     string `json:"updated"`
			UpdatedBy   string `json:"updated_by"`
		}{ch.Card.PublicToken, names.cardStatus, string(ch.Code), names.name, i18n.Text(httpkit.Lang(r), names.description), rfc3339(ch.UpdatedAt),
			ch.UpdatedBy}), nil
	})
	return nil
}
