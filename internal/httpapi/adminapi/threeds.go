package adminapi

import (
	"net/http"

	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/operator"
	"github.com/comecomepay/comecomepay/internal/threeds"
)

type threeDSView struct {
	ID                 int64   `json:"id"`
	NotificationID     string  `json:"notification_id"`
	UserID             int64   `json:"user_id"`
	CardID             int64   `json:"card_id"`
	PublicToken        string  `json:"public_token"`
	AuthMethod         string  `json:"auth_method"`
	ChallengeStatus    string  `json:"challenge_status"`
	ConfirmationStatus string  `json:"confirmation_status"`
	MerchantName       string  `json:"merchant_name"`
	Amount             string  `json:"amount"`
	Currency           string  `json:"currency"`
	ReceivedAt         string  `json:"received_at"`
	ChallengeExpiresAt string  `json:"challenge_expires_at"`
	ConfirmedAt        *string `json:"confirmed_at"`
}

// threeDSRecords: GET /admin/3ds/records?user_id=&status= — challenges,
// newest first, never with a passcode.
func (a *API) threeDSRecords(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	pageNo, size, err := httpkit.PageParams(r, "page_size")
	if err != nil {
		return err
	}
	f := httpkit.NewFields()
	filter := threeds.RecordFilter{UserID: userIDFilter(r, f), Status: threeds.Status(r.URL.Query().Get("status"))}
	if filter.Status != "" && !threeds.ValidStatus(filter.Status) {
		f.Add("status", "a challenge status (API.md §3.4.7)")
	}
	if err := f.Err(); err != nil {
		return err
	}
	recs, total, err := a.Office.ThreeDSRecords(r.Context(), filter, pageNo, size)
	if err != nil {
		return err
	}
	items := make([]threeDSView, 0, len(recs))
	for _, c := range recs {
		items = append(items, threeDSView{ID: c.ID, NotificationID: c.NotificationID, UserID: c.UserID, CardID: c.CardID,
			PublicToken: c.PublicToken, AuthMethod: string(c.AuthMethod), ChallengeStatus: string(c.ChallengeStatus),
			ConfirmationStatus: string(c.ConfirmationStatus), MerchantName: c.MerchantName, Amount: c.Amount, Currency: c.Currency,
			ReceivedAt: stamp(c.ReceivedAt), ChallengeExpiresAt: stamp(c.ChallengeExpiresAt), ConfirmedAt: optStamp(c.ConfirmedAt)})
	}
	return ok(w, r, http.StatusOK, newPage(items, pageNo, size, total))
}
