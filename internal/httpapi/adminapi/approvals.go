package adminapi

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/comecomepay/comecomepay/internal/approval"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/operator"
)

type approvalView struct {
	ID             int64           `json:"id"`
	Kind           string          `json:"kind"`
	TargetType     string          `json:"target_type"`
	TargetID       string          `json:"target_id"`
	AmountMinor    int64           `json:"amount_minor"`
	Currency       string          `json:"currency"`
	Payload        json.RawMessage `json:"payload"`
	Reason         string          `json:"reason"`
	Status         string          `json:"status"`
	RequestedBy    int64           `json:"requested_by"`
	RequestedAt    time.Time       `json:"requested_at"`
	DecidedBy      int64           `json:"decided_by"`
	DecidedAt      *time.Time      `json:"decided_at"`
	DecisionReason string          `json:"decision_reason"`
}

func viewApproval(x approval.Request) approvalView {
	v := approvalView{ID: x.ID, Kind: string(x.Kind), TargetType: x.TargetType, TargetID: x.TargetID,
		AmountMinor: int64(x.Amount), Currency: x.Currency, Payload: x.Payload, Reason: x.Reason, Status: string(x.Status),
		RequestedBy: x.RequestedBy, RequestedAt: x.RequestedAt, DecidedBy: x.DecidedBy, DecisionReason: x.DecisionReason}
	if len(v.Payload) == 0 {
		v.Payload = json.RawMessage("null")
	}
	if !x.DecidedAt.IsZero() {
		at := x.DecidedAt
		v.DecidedAt = &at
	}
	return v
}

// listApprovals: GET /admin/approvals?status=pending.
func (a *API) listApprovals(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	pageNo, size, err := httpkit.PageParams(r, "page_size")
	if err != nil {
		return err
	}
	status := approval.Status(r.URL.Query().Get("status"))
	switch status {
	case "", approval.Pending, approval.Executed, approval.Rejected:
	default:
		f := httpkit.NewFields()
		f.Add("status", "pending, executed or rejected")
		return f.Err()
	}
	list, total, err := a.Approvals.List(r.Context(), status, size, (pageNo-1)*size)
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, pageOf(list, viewApproval, pageNo, size, total))
}

// approve: POST /admin/approvals/{id}/approve {note?}: executes the request
// as the calling operator, who must not be its requester.
func (a *API) approve(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	id, err := pathID(r, "id", approval.ErrNotFound)
	if err != nil {
		return err
	}
	var in struct {
		Note *string `json:"note"`
	}
	if err := httpkit.Decode(r, &in); err != nil {
		return err
	}
	x, err := a.Approvals.Approve(r.Context(), id, httpkit.Optional(in.Note))
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, viewApproval(x))
}

// reject: POST /admin/approvals/{id}/reject {reason}.
func (a *API) reject(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	id, err := pathID(r, "id", approval.ErrNotFound)
	if err != nil {
		return err
	}
	var in struct {
		Reason *string `json:"reason"`
	}
	if err := httpkit.Decode(r, &in); err != nil {
		return err
	}
	f := httpkit.NewFields()
	reason := f.Required("reason", in.Reason)
	if err := f.Err(); err != nil {
		return err
	}
	x, err := a.Approvals.Reject(r.Context(), id, reason)
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, viewApproval(x))
}
