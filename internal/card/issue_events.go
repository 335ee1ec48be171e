package card

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/webhook"
)

// issuanceData is the data of card.issuance.completed / .failed (API.md
// §2.11.3). task_ref is our reference ("task-<id>") or the bare task id.
type issuanceData struct {
	TaskRef     json.RawMessage `json:"task_ref"`
	PublicToken string          `json:"public_token"`
	MaskedPAN   string          `json:"masked_pan"`
	ExpiryDate  string          `json:"expiry_date"`
	FailReason  string          `json:"fail_reason"`
}

func (d issuanceData) taskID() (int64, bool) {
	ref := strings.Trim(string(d.TaskRef), `" `)
	id, err := strconv.ParseInt(strings.TrimPrefix(ref, "task-"), 10, 64)
	return id, err == nil && id > 0
}

// applyIssuanceEvent completes or fails an issuance task from the issuer's
// event, for an issuer that reports issuance asynchronously. A task already
// ended (by the job or an earlier event) is left as it is.
func (s *Service) applyIssuanceEvent(ctx context.Context, tx *sql.Tx, ev IssuerEvent) (string, error) {
	var d issuanceData
	if err := json.Unmarshal(ev.Data, &d); err != nil {
		return webhook.StateIgnored, nil
	}
	id, ok := d.taskID()
	if !ok {
		return webhook.StateIgnored, nil
	}
	t, err := s.task(ctx, tx, id, true)
	if errors.Is(err, store.ErrNotFound) {
		return webhook.StateUnmatched, nil
	}
	if err != nil {
		return "", err
	}
	if t.Status == TaskCompleted || t.Status == TaskFailed {
		return webhook.StateIgnored, nil
	}
	if ev.Type == "card.issuance.failed" {
		reason := d.FailReason
		if reason == "" {
			reason = "The card issuer could not issue the card"
		}
		return webhook.StateProcessed, s.failTx(ctx, tx, t, reason)
	}
	token := d.PublicToken
	if token == "" {
		token = ev.PublicToken
	}
	if token == "" || d.MaskedPAN == "" {
		return webhook.StateIgnored, nil
	}
	expiry, err := time.Parse(time.DateTime, d.ExpiryDate)
	if err != nil {
		if expiry, err = time.Parse(time.RFC3339, d.ExpiryDate); err != nil {
			return webhook.StateIgnored, nil
		}
	}
	member, err := s.memberNameIn(ctx, tx, t.KYCID)
	if err != nil {
		return "", err
	}
	fee, err := s.feePaid(ctx, tx, t.FeePayment)
	if err != nil {
		return "", fmt.Errorf("fee paid for task %d: %w", t.ID, err)
	}
	var postal Postal
	if t.Physical && t.Postal != "" {
		pt, err := s.Box.Open(t.Postal, postalAD(t.UserID))
		if err != nil {
			return "", fmt.Errorf("open postal data of task %d: %w", t.ID, err)
		}
		if err := json.Unmarshal(pt, &postal); err != nil {
			return "", fmt.Errorf("decode postal data of task %d: %w", t.ID, err)
		}
	}
	issued := IssuedCard{PublicToken: token, MaskedPAN: d.MaskedPAN, Expiry: expiry}
	return webhook.StateProcessed, s.recordIssued(ctx, tx, t, issued, member, fee, postal)
}
