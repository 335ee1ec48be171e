package adminapi

import (
	"net/http"
	"strings"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/operator"
)

// reasonBody is the body of actions that take a reason.
type reasonBody struct {
	Reason *string `json:"reason"`
}

func readReason(r *http.Request) (string, error) {
	var in reasonBody
	if err := httpkit.Decode(r, &in); err != nil {
		return "", err
	}
	return strings.TrimSpace(httpkit.Optional(in.Reason)), nil
}

type userStatusView struct {
	UserID int64  `json:"user_id"`
	Status string `json:"status"`
}

func (a *API) setFrozen(frozen bool) Handler {
	return func(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
		id, err := pathID(r, "id", account.ErrUserNotFound)
		if err != nil {
			return err
		}
		reason, err := readReason(r)
		if err != nil {
			return err
		}
		status, err := a.Office.FreezeUser(r.Context(), id, frozen, reason)
		if err != nil {
			return err
		}
		return ok(w, r, http.StatusOK, userStatusView{UserID: id, Status: string(status)})
	}
}

// revokeUserSessions: POST /admin/users/{id}/revoke-sessions {reason?}.
func (a *API) revokeUserSessions(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	id, err := pathID(r, "id", account.ErrUserNotFound)
	if err != nil {
		return err
	}
	reason, err := readReason(r)
	if err != nil {
		return err
	}
	if err := a.Office.RevokeUserSessions(r.Context(), id, reason); err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, struct{}{})
}
