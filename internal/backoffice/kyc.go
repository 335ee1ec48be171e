package backoffice

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/kyc"
)

// KYCRecords lists the review queue, newest first.
func (s *Service) KYCRecords(ctx context.Context, f kyc.RecordFilter, page, size int) ([]kyc.Record, int, error) {
	return s.KYC.Records(ctx, f, size, (page-1)*size)
}

// KYCRecord is one record of the queue with its user's KYC status.
type KYCRecord struct {
	Record     kyc.Record
	UserStatus kyc.UserStatus
}

// KYCRecord returns one record (no identity: RevealKYCIdentity shows it).
func (s *Service) KYCRecord(ctx context.Context, id int64) (KYCRecord, error) {
	rec, err := s.KYC.Record(ctx, s.DB.SQL, id)
	if err != nil {
		return KYCRecord{}, err
	}
	st, _, err := s.KYC.UserKYC(ctx, s.DB.SQL, rec.UserID)
	if err != nil {
		return KYCRecord{}, fmt.Errorf("backoffice: kyc record %d: %w", id, err)
	}
	return KYCRecord{Record: rec, UserStatus: st}, nil
}

type kycState struct {
	UserID        int64            `json:"user_id"`
	Status        kyc.RecordStatus `json:"status"`
	PokepayStatus int              `json:"pokepay_status"`
	FailReason    string           `json:"fail_reason"`
}

func kycStateOf(r kyc.Record) kycState {
	return kycState{UserID: r.UserID, Status: r.Status, PokepayStatus: r.PokepayStatus, FailReason: r.FailReason}
}

// DecideKYC approves or rejects a record under review (pending or
// processing) with the provider decision's effects (kyc.DecideTx). The
// operator's reason is required and stays in the audit log; what a rejected
// user reads is d.FailReason.
func (s *Service) DecideKYC(ctx context.Context, recordID int64, d kyc.Decision, reason string) (kyc.Record, error) {
	if reason == "" {
		return kyc.Record{}, errReasonRequired
	}
	action := "kyc.reject"
	if d.Approve {
		action = "kyc.approve"
	}
	var after kyc.Record
	err := s.audited(ctx, audit.Entry{Action: action, TargetType: "kyc_record", TargetID: strconv.FormatInt(recordID, 10), Reason: reason},
		func(tx *sql.Tx) (any, any, error) {
			before, next, err := s.KYC.DecideTx(ctx, tx, s.KYCJobs, recordID, d)
			after = next
			return kycStateOf(before), kycStateOf(next), err
		})
	return after, err
}
