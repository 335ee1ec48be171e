package console

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/backoffice"
	"github.com/comecomepay/comecomepay/internal/kyc"
	"github.com/comecomepay/comecomepay/internal/threeds"
)

// KYC review queue and 3DS records, on the back-office methods of the admin
// API's kyc and 3ds routes (adminapi/kyc.go, adminapi/threeds.go).

var kycStatusChoices = []kyc.RecordStatus{kyc.StatusPendingSubmit, kyc.StatusPending, kyc.StatusProcessing, kyc.StatusApproved,
	kyc.StatusRejected, kyc.StatusFailed, kyc.StatusNotCompleted, kyc.StatusCancelled}

// statusUserFilter checks the status and user_id filters the KYC queue and
// the 3DS records share: a status valid refuses is cleared, and the page's
// error names every bad filter, answered with 400.
func statusUserFilter[S ~string](lang string, status *S, userID string, valid func(S) bool) (id int64, msg string, code int) {
	var problems []string
	if *status != "" && !valid(*status) {
		problems = append(problems, translate(lang, "Status"))
		*status = ""
	}
	id, ok := userIDParam(userID)
	if !ok {
		problems = append(problems, translate(lang, "User ID"))
	}
	if len(problems) > 0 {
		return id, translate(lang, "Not a valid filter") + ": " + strings.Join(problems, ", "), http.StatusBadRequest
	}
	return id, "", http.StatusOK
}

type kycQueueData struct {
	Status, UserID string
	Statuses       []kyc.RecordStatus
	Rows           []kyc.Record
	Total          int
	Pager          userPager
	Error          string
}

// kycQueue: GET /console/kyc?status=&user_id=&page= — newest first; with no
// query at all it shows what waits for a decision (status=pending).
func (c *Console) kycQueue(w http.ResponseWriter, r *http.Request, v *visit) error {
	q := r.URL.Query()
	d := kycQueueData{Status: q.Get("status"), UserID: strings.TrimSpace(q.Get("user_id")), Statuses: kycStatusChoices}
	if !q.Has("status") {
		d.Status = string(kyc.StatusPending)
	}
	f := kyc.RecordFilter{Status: kyc.RecordStatus(d.Status)}
	var code int
	f.UserID, d.Error, code = statusUserFilter(v.Lang, &f.Status, d.UserID, kyc.ValidStatus)
	d.Status = string(f.Status)
	page := userPageParam(q, "page")
	rows, total, err := c.Office.KYCRecords(r.Context(), f, page, usersPageSize)
	if err != nil {
		return err
	}
	d.Rows, d.Total = rows, total
	d.Pager = newUserPager("/console/kyc", q, "page", page, usersPageSize, total)
	c.render(w, code, "users_kyc", v, d)
	return nil
}

type kycRecordData struct {
	R         backoffice.KYCRecord
	Decidable bool
	// Identity is what an audited reveal just showed (nil: not revealed).
	Identity *kyc.Identity
	Notice   string
	Error    string
}

var kycNotices = map[string]string{"approve": "The KYC is approved.", "reject": "The KYC is rejected."}

func (c *Console) kycRecordPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	id, err := userPathID(r)
	if err != nil {
		return err
	}
	return c.showKYCRecord(w, r, v, http.StatusOK, id, kycRecordData{Notice: kycNotices[r.URL.Query().Get("done")]})
}

// showKYCRecord renders record id, never with the identity unless d holds
// one an audited reveal returned.
func (c *Console) showKYCRecord(w http.ResponseWriter, r *http.Request, v *visit, status int, id int64, d kycRecordData) error {
	rec, err := c.Office.KYCRecord(r.Context(), id)
	if e, ok := apperr.As(err); ok && e.Code == apperr.CodeNotFound {
		return errNotFound
	}
	if err != nil {
		return err
	}
	d.R, d.Decidable = rec, kyc.Decidable(rec.Record.Status)
	c.render(w, status, "users_kyc_record", v, d)
	return nil
}

// revealKYCIdentity: the audited reveal of a record's identity, shown on
// this answer only.
func (c *Console) revealKYCIdentity(w http.ResponseWriter, r *http.Request, v *visit) error {
	id, err := userPathID(r)
	if err != nil {
		return err
	}
	reason, err := userReason(r)
	var identity kyc.Identity
	if err == nil {
		_, identity, err = c.Office.RevealKYCIdentity(c.actorContext(r, v), id, reason)
	}
	if e, ok := apperr.As(err); ok && e.Code != apperr.CodeNotFound {
		return c.showKYCRecord(w, r, v, http.StatusBadRequest, id, kycRecordData{Error: apiMessage(v.Lang, e)})
	}
	if err != nil {
		return err
	}
	return c.showKYCRecord(w, r, v, http.StatusOK, id, kycRecordData{Identity: &identity})
}

// decideKYC: approve or reject with the operator's reason (audit log) and,
// for a rejection, the message the user reads (fail_reason).
func (c *Console) decideKYC(w http.ResponseWriter, r *http.Request, v *visit) error {
	id, err := userPathID(r)
	if err != nil {
		return err
	}
	decision := r.PostFormValue("decision")
	reason, err := userReason(r)
	failReason := strings.TrimSpace(r.PostFormValue("fail_reason"))
	switch {
	case err != nil:
	case decision != "approve" && decision != "reject":
		err = apperr.Validation(map[string]string{"decision": "approve or reject"})
	case len(failReason) > 500:
		err = apperr.Validation(map[string]string{"fail_reason": "at most 500 characters"})
	default:
		_, err = c.Office.DecideKYC(c.actorContext(r, v), id, kyc.Decision{Approve: decision == "approve", FailReason: failReason}, reason)
	}
	if e, ok := apperr.As(err); ok && e.Code != apperr.CodeNotFound {
		return c.showKYCRecord(w, r, v, http.StatusBadRequest, id, kycRecordData{Error: apiMessage(v.Lang, e)})
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/console/kyc/"+strconv.FormatInt(id, 10)+"?done="+decision, http.StatusSeeOther)
	return nil
}

var threeDSStatusChoices = []threeds.Status{threeds.StatusOTPSent, threeds.StatusUnconfirmed, threeds.StatusProcessing,
	threeds.StatusSuccess, threeds.StatusFailure, threeds.StatusConfirmFailed, threeds.StatusExpired}

type threeDSData struct {
	Status, UserID string
	Statuses       []threeds.Status
	Rows           []threeds.Record
	Total          int
	Pager          userPager
	Error          string
}

// threeDSRecords: GET /console/3ds?user_id=&status=&page= — challenges,
// newest first, never with a passcode.
func (c *Console) threeDSRecords(w http.ResponseWriter, r *http.Request, v *visit) error {
	q := r.URL.Query()
	d := threeDSData{Status: q.Get("status"), UserID: strings.TrimSpace(q.Get("user_id")), Statuses: threeDSStatusChoices}
	f := threeds.RecordFilter{Status: threeds.Status(d.Status)}
	var code int
	f.UserID, d.Error, code = statusUserFilter(v.Lang, &f.Status, d.UserID, threeds.ValidStatus)
	d.Status = string(f.Status)
	page := userPageParam(q, "page")
	rows, total, err := c.Office.ThreeDSRecords(r.Context(), f, page, usersPageSize)
	if err != nil {
		return err
	}
	for i := range rows {
		rows[i].Passcode = "" // never shown
	}
	d.Rows, d.Total = rows, total
	d.Pager = newUserPager("/console/3ds", q, "page", page, usersPageSize, total)
	c.render(w, code, "users_3ds", v, d)
	return nil
}
