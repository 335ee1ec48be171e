package sandboxapi

import (
	"encoding/json"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/kyc"
	"github.com/comecomepay/comecomepay/internal/providers/webhooksig"
)

var kycPage = template.Must(template.New("kyc").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sandbox identity verification</title></head>
<body><h1>Sandbox identity verification</h1>
<p>Applicant: <strong>{{.Name}}</strong> ({{.Email}})</p>
<p>Session <code>{{.Session}}</code> — this page stands in for the KYC provider in sandbox mode.</p>
<form method="post" action="{{.Base}}/approve"><button type="submit">Approve</button></form>
<form method="post" action="{{.Base}}/reject"><label>Decline cause <select name="reason">
<option value="DOCUMENT_EXPIRED">Document expired</option>
<option value="POOR_QUALITY_IMAGE">Photo not clear</option>
<option value="SCREEN_CAPTURE_DETECTED">Screen capture</option>
<option value="PORTRAIT_MANIPULATION_DETECTED">Altered document</option>
<option value="LIVENESS_FACE_ATTACK">Liveness failed</option>
<option value="LOW_FACE_MATCH_SIMILARITY">Face mismatch</option>
<option value="DUPLICATED_USER">Duplicate identity</option>
</select></label>
<button type="submit">Reject</button></form>
</body></html>`))

const doneHTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Done</title></head><body><p>Done — you can close this window.</p></body></html>`

// KYCPage serves GET /sandbox/kyc/sessions/{session_id}: the hosted
// page of the simulated KYC provider.
func (s *Helpers) KYCPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id := r.PathValue("session_id")
	rec, err := s.KYC.RecordBySession(ctx, id)
	if err != nil {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`<!doctype html><html lang="en"><body><p>Unknown verification session.</p></body></html>`))
		return nil
	}
	ident, err := s.KYC.Identity(ctx, s.DB.SQL, rec.ID)
	if err != nil {
		return err
	}
	prof, err := s.Accounts.Profile(ctx, rec.UserID)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; form-action 'self'; frame-ancestors 'none'")
	_ = kycPage.Execute(w, map[string]string{"Name": ident.FirstName + " " + ident.LastName, "Email": prof.Email, "Session": id,
		"Base": "/api/v1/sandbox/kyc/sessions/" + id})
	return nil
}

// KYCDecide serves POST /sandbox/kyc/sessions/{session_id}/approve
// and /reject: the provider's decision goes through the signed webhook, and
// the answer comes once the decision (and, on approval, the simulated
// issuer review) has been applied.
func (s *Helpers) KYCDecide(approve bool) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		form := strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded")
		reason := ""
		if form {
			if err := r.ParseForm(); err != nil {
				return apperr.Validation(nil).WithDetails("The form could not be read")
			}
			if err := httpkit.UniqueFields(r.PostForm); err != nil {
				return err
			}
			reason = strings.TrimSpace(r.PostForm.Get("reason"))
		} else {
			var b struct {
				Reason *string `json:"reason"`
			}
			if err := httpkit.Decode(r, &b); err != nil {
				return err
			}
			reason = httpkit.Optional(b.Reason)
		}
		rec, err := s.KYC.RecordBySession(ctx, r.PathValue("session_id"))
		if err != nil {
			return apperr.New(apperr.CodeNotFound).WithDetails("Unknown verification session")
		}
		status := kyc.DiditDeclined
		if approve {
			status = kyc.DiditApproved
		}
		body, headers, err := sandboxDelivery(s.KYCWebhookSecret, rec, status, reason)
		if err != nil {
			return err
		}
		id, err := s.Host.AcceptKYC(ctx, headers, body)
		if err != nil {
			return err
		}
		if err := s.Inbox.Process(ctx, id); err != nil {
			return err
		}
		if approve {
			if _, err := s.KYC.Review(ctx, s.Sim.KYCIssuer, rec.ID); err != nil {
				return err
			}
		}
		if rec, err = s.KYC.RecordBySession(ctx, rec.SessionID); err != nil {
			return err
		}
		if form {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte(doneHTML))
			return nil
		}
		httpkit.WriteJSON(w, http.StatusOK, httpkit.OKB(r, "OK", struct {
			UserKYCID int64            `json:"user_kyc_id"`
			Status    kyc.RecordStatus `json:"status"`
		}{rec.ID, rec.Status}))
		return nil
	}
}

// sandboxDelivery is the provider's status.updated webhook for a record's
// session, shaped and signed as Didit sends it. A decline carries the
// chosen cause as the risk code of a failed document check, so the record's
// fail_reason is derived exactly as for the real provider (free text the
// derivation does not know ends as the document check's standard reason).
func sandboxDelivery(secret string, rec kyc.Record, status, reason string) ([]byte, webhooksig.KYCHeaders, error) {
	ev := kyc.NewStatusEvent(rec.SessionID, rec.ID, status, time.Now())
	ev.Environment = "sandbox"
	ev.Decision = &kyc.ProviderDecision{SessionID: rec.SessionID, Status: status, VendorData: ev.VendorData}
	if status == kyc.DiditDeclined && reason != "" {
		risk := strings.ToUpper(strings.Join(strings.Fields(reason), "_"))
		ev.Decision.IDVerifications = []kyc.Check{{Status: kyc.DiditDeclined, Warnings: []kyc.Warning{{Risk: risk, LogType: "error"}}}}
	}
	body, err := json.Marshal(ev)
	if err != nil {
		return nil, webhooksig.KYCHeaders{}, err
	}
	headers, err := webhooksig.SignKYC(secret, body)
	return body, headers, err
}

// issuerOperations are the simulated issuer calls a test can make fail.
var issuerOperations = map[string]bool{"issue_card": true, "recharge": true, "withdraw": true, "convert_physical": true,
	"set_status": true, "set_3ds_plan": true, "confirm_3ds": true, "reveal": true, "trade_query": true}

// IssuerFailures serves POST /sandbox/issuer/failures: the next
// `count` calls of an issuer operation fail.
func (s *Helpers) IssuerFailures(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		Operation *string `json:"operation"`
		Count     *int    `json:"count"`
	}
	if err := httpkit.Decode(r, &b); err != nil {
		return err
	}
	f := httpkit.NewFields()
	op := f.Required("operation", b.Operation)
	if op != "" && !issuerOperations[op] {
		f.Add("operation", "unknown issuer operation")
	}
	count := 1
	if b.Count != nil {
		count = *b.Count
	}
	if count < 0 || count > 1000 {
		f.Add("count", "must be 0–1000")
	}
	if err := f.Err(); err != nil {
		return err
	}
	s.Sim.IssuerFailures.FailNext(op, count)
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKB(r, "OK", struct {
		Operation string `json:"operation"`
		Count     int    `json:"count"`
	}{op, count}))
	return nil
}

// reopenable are the states after which a user may start a new
// verification (API.md §2.5).
var reopenable = map[kyc.RecordStatus]bool{kyc.StatusPendingSubmit: true, kyc.StatusRejected: true, kyc.StatusFailed: true,
	kyc.StatusNotCompleted: true, kyc.StatusCancelled: true}

// ApproveKYC serves POST /sandbox/kyc/approve: it approves the
// user's open verification session through the same path as the page,
// first opening one from the profile when there is none (API.md §4).
func (s *Helpers) ApproveKYC(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		UserID httpkit.FlexNumber `json:"user_id"`
		Email  *string            `json:"email"`
	}
	if err := httpkit.Decode(r, &b); err != nil {
		return err
	}
	f := httpkit.NewFields()
	var userID int64
	switch {
	case b.UserID.Present:
		userID = f.ID("user_id", b.UserID)
	case httpkit.Optional(b.Email) != "":
		id, err := s.Accounts.UserIDByEmail(r.Context(), httpkit.Optional(b.Email))
		if err != nil {
			return err
		}
		userID = id
	default:
		f.Add("user_id", "user_id or email is required")
	}
	if err := f.Err(); err != nil {
		return err
	}
	rec, ok, err := s.KYC.Latest(r.Context(), s.DB.SQL, userID)
	if err != nil {
		return err
	}
	open := ok && rec.SessionID != "" && (rec.Status == kyc.StatusPendingSubmit || rec.Status == kyc.StatusPending)
	if !open {
		if ok && !reopenable[rec.Status] {
			return apperr.New(apperr.CodeInvalidState).WithDetails("The user's verification is " + string(rec.Status) + ": there is no session to approve")
		}
		if rec, err = s.openKYCFromProfile(r, userID); err != nil {
			return err
		}
	}
	r.SetPathValue("session_id", rec.SessionID)
	return s.KYCDecide(true)(w, r)
}

// openKYCFromProfile opens a verification session as /didit/initialize-token
// would, with the identity the profile holds; what the profile lacks gets a
// sandbox placeholder that passes the form's rules.
func (s *Helpers) openKYCFromProfile(r *http.Request, userID int64) (kyc.Record, error) {
	prof, err := s.Accounts.Profile(r.Context(), userID)
	if err != nil {
		return kyc.Record{}, err
	}
	or := func(v *string, placeholder string) string {
		if v == nil || strings.TrimSpace(*v) == "" {
			return placeholder
		}
		return strings.TrimSpace(*v)
	}
	name := func(v *string, placeholder string) string {
		if n := strings.ToUpper(or(v, placeholder)); kyc.ValidName(n) {
			return n
		}
		return placeholder
	}
	id := kyc.Identity{
		FirstName: name(prof.FirstName, "SANDBOX"), LastName: name(prof.LastName, "USER"),
		BillCountry: or(prof.BillCountryCode, "HK"), AreaCode: or(prof.AreaCode, "852"), Phone: or(prof.Phone, "55550000"),
		Address: or(prof.Address, "1 Sandbox Road"), City: or(prof.City, "Hong Kong"), State: or(prof.State, ""),
		PostCode: or(prof.PostCode, "000000"),
	}
	return s.KYC.Initialize(r.Context(), kyc.InitInput{UserID: userID, Email: prof.Email, Identity: id})
}
