package adminapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/kyc"
	"github.com/comecomepay/comecomepay/internal/operator"
)

// userIDFilter reads an optional user_id query filter.
func userIDFilter(r *http.Request, f httpkit.Fields) int64 {
	v := r.URL.Query().Get("user_id")
	if v == "" {
		return 0
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		f.Add("user_id", "a user id")
	}
	return id
}

// kycRecords: GET /admin/kyc/records?status=&user_id= — the review queue,
// newest first (status=pending for what waits for the provider).
func (a *API) kycRecords(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	pageNo, size, err := httpkit.PageParams(r, "page_size")
	if err != nil {
		return err
	}
	f := httpkit.NewFields()
	filter := kyc.RecordFilter{Status: kyc.RecordStatus(r.URL.Query().Get("status")), UserID: userIDFilter(r, f)}
	if filter.Status != "" && !kyc.ValidStatus(filter.Status) {
		f.Add("status", "a KYC record status (API.md §3.4.1)")
	}
	if err := f.Err(); err != nil {
		return err
	}
	recs, total, err := a.Office.KYCRecords(r.Context(), filter, pageNo, size)
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, pageOf(recs, viewKYCRecord, pageNo, size, total))
}

// kycRecord: GET /admin/kyc/records/{id} — the summary, never the identity.
func (a *API) kycRecord(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	id, err := pathID(r, "id", kyc.ErrRecordNotFound)
	if err != nil {
		return err
	}
	rec, err := a.Office.KYCRecord(r.Context(), id)
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, struct {
		kycRecordView
		UserKYCStatus string `json:"user_kyc_status"`
	}{viewKYCRecord(rec.Record), string(rec.UserStatus)})
}

// revealKYCIdentity: POST /admin/kyc/records/{id}/identity {reason}.
func (a *API) revealKYCIdentity(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	id, err := pathID(r, "id", kyc.ErrRecordNotFound)
	if err != nil {
		return err
	}
	reason, err := readReason(r)
	if err != nil {
		return err
	}
	rec, identity, err := a.Office.RevealKYCIdentity(r.Context(), id, reason)
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, struct {
		UserID int64 `json:"user_id"`
		kycIdentityView
	}{rec.UserID, kycIdentityView{RecordID: rec.ID, Identity: identity}})
}

// decideKYC: POST /admin/kyc/records/{id}/decision {decision: approve|reject,
// reason, fail_reason?}.
func (a *API) decideKYC(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	id, err := pathID(r, "id", kyc.ErrRecordNotFound)
	if err != nil {
		return err
	}
	var in struct {
		Decision   *string `json:"decision"`
		Reason     *string `json:"reason"`
		FailReason *string `json:"fail_reason"`
	}
	if err := httpkit.Decode(r, &in); err != nil {
		return err
	}
	f := httpkit.NewFields()
	decision := f.Required("decision", in.Decision)
	if decision != "" && decision != "approve" && decision != "reject" {
		f.Add("decision", "approve or reject")
	}
	failReason := strings.TrimSpace(httpkit.Optional(in.FailReason))
	if len(failReason) > 500 {
		f.Add("fail_reason", "at most 500 characters")
	}
	if err := f.Err(); err != nil {
		return err
	}
	rec, err := a.Office.DecideKYC(r.Context(), id, kyc.Decision{Approve: decision == "approve", FailReason: failReason},
		strings.TrimSpace(httpkit.Optional(in.Reason)))
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, viewKYCRecord(rec))
}
