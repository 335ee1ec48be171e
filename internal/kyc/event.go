package kyc

import (
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/google/uuid"
)

// The body of POST /webhooks/kyc is Didit v3's webhook (API.md §2.11.2 as
// corrected by docs/providers-didit.md: there is no "Cancelled" status and
// no decision.reason). The sandbox simulator sends the same shape, and the
// Didit adapter's decision pull reads the same Decision, so one mapping
// serves every path.

// WebhookStatusUpdated is the only webhook type that changes a record;
// others (data.updated, …) are stored and ignored.
const WebhookStatusUpdated = "status.updated"

// Didit session statuses (exact strings).
const (
	DiditNotStarted   = "Not Started"
	DiditInProgress   = "In Progress"
	DiditInReview     = "In Review"
	DiditApproved     = "Approved"
	DiditDeclined     = "Declined"
	DiditResubmitted  = "Resubmitted"
	DiditExpired      = "Expired"
	DiditAbandoned    = "Abandoned"
	DiditKYCExpired   = "Kyc Expired"
	DiditAwaitingUser = "Awaiting User"
)

// ProviderEvent is one webhook delivery.
type ProviderEvent struct {
	EventID     string            `json:"event_id,omitempty"`
	WebhookType string            `json:"webhook_type"`
	Timestamp   int64             `json:"timestamp"`
	CreatedAt   int64             `json:"created_at,omitempty"`
	Environment string            `json:"environment,omitempty"`
	SessionID   string            `json:"session_id"`
	Status      string            `json:"status"`
	WorkflowID  string            `json:"workflow_id,omitempty"`
	VendorData  string            `json:"vendor_data,omitempty"` // our record id
	Decision    *ProviderDecision `json:"decision,omitempty"`
}

// ProviderDecision is the provider's report on a session: its status and the
// per-check results. It has no reason field; DeclineReason derives one.
type ProviderDecision struct {
	SessionID       string   `json:"session_id,omitempty"`
	Status          string   `json:"status,omitempty"`
	VendorData      string   `json:"vendor_data,omitempty"`
	IDVerifications []Check  `json:"id_verifications,omitempty"`
	LivenessChecks  []Check  `json:"liveness_checks,omitempty"`
	FaceMatches     []Check  `json:"face_matches,omitempty"`
	AMLScreenings   []Check  `json:"aml_screenings,omitempty"`
	Reviews         []Review `json:"reviews,omitempty"`
}

// Check is one verification step's result.
type Check struct {
	Status   string    `json:"status"`
	Warnings []Warning `json:"warnings,omitempty"`
}

// Warning is a condition a check observed. Only the stable risk code and
// its log type are read: the descriptions are the provider's prose and
// may quote what the document says.
type Warning struct {
	Risk    string `json:"risk"`
	LogType string `json:"log_type,omitempty"` // "error" = it declined the check
}

// Review is a manual status change at the provider. Its comment is the
// reviewer's free text and is never read.
type Review struct {
	NewStatus string `json:"new_status"`
}

// ParseProviderEvent decodes and checks a delivery.
func ParseProviderEvent(body []byte) (ProviderEvent, error) {
	var ev ProviderEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		// The decoder's message may quote the body.
		return ev, errors.New("kyc event: not a webhook body")
	}
	if ev.SessionID == "" || ev.Status == "" {
		return ev, errors.New("kyc event: session_id and status are required")
	}
	return ev, nil
}

// EventKey is the inbox key of a delivery: the provider's event_id, else
// what identifies a status change.
func (ev ProviderEvent) EventKey() string {
	if ev.EventID != "" {
		return ev.EventID
	}
	return ev.SessionID + ":" + ev.Status + ":" + ev.WebhookType + ":" + strconv.FormatInt(ev.Timestamp, 10)
}

// Outcome is a provider status translated for the record. Adapters of other
// providers (the card issuer running KYC) produce it from their own codes.
type Outcome struct {
	ProviderStatus string
	Status         RecordStatus
	FailReason     string // rejected only
	// Reverify: an earlier approval no longer holds; it overrides even an
	// approved record.
	Reverify bool
}

// ReasonReverify is what a user whose verified document expired reads.
const ReasonReverify = "Your identity document has expired; please verify again"

// providerStatuses maps every Didit status onto record statuses
// (docs/providers-didit.md). Resubmitted and Awaiting User ask the user
// to act in the same session, as before they submitted.
var providerStatuses = map[string]RecordStatus{
	DiditNotStarted: StatusPendingSubmit, DiditInProgress: StatusPendingSubmit, DiditAwaitingUser: StatusPendingSubmit,
	DiditResubmitted: StatusPendingSubmit, DiditInReview: StatusPending, DiditApproved: StatusProcessing,
	DiditDeclined: StatusRejected, DiditExpired: StatusNotCompleted, DiditAbandoned: StatusNotCompleted,
	DiditKYCExpired: StatusRejected,
}

// OutcomeOf translates a Didit status (with its decision, when it has one);
// ok=false for a status this service does not know.
func OutcomeOf(providerStatus string, d *ProviderDecision) (Outcome, bool) {
	next, ok := providerStatuses[providerStatus]
	if !ok {
		return Outcome{}, false
	}
	o := Outcome{ProviderStatus: providerStatus, Status: next}
	switch providerStatus {
	case DiditDeclined:
		o.FailReason = DeclineReason(d)
	case DiditKYCExpired:
		o.FailReason, o.Reverify = ReasonReverify, true
	}
	return o, true
}

// advances reports whether an outcome moves a record forward. Record states
// form an order (rank) and deliveries only climb it, so duplicates and
// out-of-order deliveries end in the same state whatever their order; a
// re-verification is above everything, once.
func advances(rec Record, o Outcome) bool {
	if o.Reverify {
		return rec.Status != StatusRejected || rec.FailReason != ReasonReverify
	}
	return rank[o.Status] > rank[rec.Status]
}

// NewStatusEvent is a status.updated delivery for a record's session at
// t, as the provider shapes it; the sandbox simulator and the tests send
// it through the real webhook path.
func NewStatusEvent(sessionID string, recordID int64, status string, t time.Time) ProviderEvent {
	return ProviderEvent{EventID: uuid.NewString(), WebhookType: WebhookStatusUpdated, Timestamp: t.Unix(), CreatedAt: t.Unix(),
		SessionID: sessionID, Status: status, VendorData: strconv.FormatInt(recordID, 10)}
}
