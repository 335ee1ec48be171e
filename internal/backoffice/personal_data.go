package backoffice

import (
	"context"
	"database/sql"
	"strconv"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/kyc"
)

// Reading sealed or personal data is its own audited action: the data is
// read in the transaction that writes the audit row, and returned only once
// that row committed. The row names the fields shown, never their values.

// PersonalData is what a reveal shows of a user.
type PersonalData struct {
	Profile account.PersonalData
	// KYC is the identity of the user's latest KYC record (nil: none).
	KYC         *kyc.Identity
	KYCRecordID int64
}

type revealed struct {
	Fields []string `json:"fields"`
}

// RevealPersonalData shows a user's full phone, names, date of birth and
// address, and the identity of their latest KYC record. A reason is
// required.
func (s *Service) RevealPersonalData(ctx context.Context, userID int64, reason string) (PersonalData, error) {
	if reason == "" {
		return PersonalData{}, errReasonRequired
	}
	var out PersonalData
	err := s.audited(ctx, audit.Entry{Action: "user.reveal_personal_data", TargetType: "user", TargetID: strconv.FormatInt(userID, 10),
		Reason: reason}, func(tx *sql.Tx) (any, any, error) {
		p, err := s.Accounts.PersonalDataTx(ctx, tx, userID)
		if err != nil {
			return nil, nil, err
		}
		out = PersonalData{Profile: p}
		fields := p.Present()
		rec, ok, err := s.KYC.Latest(ctx, tx, userID)
		if err != nil {
			return nil, nil, err
		}
		if ok {
			id, err := s.KYC.Identity(ctx, tx, rec.ID)
			if err != nil {
				return nil, nil, err
			}
			out.KYC, out.KYCRecordID = &id, rec.ID
			fields = append(fields, identityFields(id)...)
		}
		return nil, revealed{Fields: nonNil(fields)}, nil
	})
	if err != nil {
		return PersonalData{}, err
	}
	return out, nil
}

// RevealKYCIdentity shows the identity submitted with one KYC record. A
// reason is required.
func (s *Service) RevealKYCIdentity(ctx context.Context, recordID int64, reason string) (kyc.Record, kyc.Identity, error) {
	if reason == "" {
		return kyc.Record{}, kyc.Identity{}, errReasonRequired
	}
	var (
		rec kyc.Record
		id  kyc.Identity
	)
	err := s.audited(ctx, audit.Entry{Action: "kyc.reveal_identity", TargetType: "kyc_record", TargetID: strconv.FormatInt(recordID, 10),
		Reason: reason}, func(tx *sql.Tx) (any, any, error) {
		var err error
		if rec, err = s.KYC.Record(ctx, tx, recordID); err != nil {
			return nil, nil, err
		}
		if id, err = s.KYC.Identity(ctx, tx, recordID); err != nil {
			return nil, nil, err
		}
		return nil, struct {
			UserID int64    `json:"user_id"`
			Fields []string `json:"fields"`
		}{rec.UserID, nonNil(identityFields(id))}, nil
	})
	if err != nil {
		return kyc.Record{}, kyc.Identity{}, err
	}
	return rec, id, nil
}

// identityFields names the identity's fields that hold a value.
func identityFields(id kyc.Identity) []string {
	var out []string
	for _, f := range []struct{ name, value string }{{"first_en_name", id.FirstName}, {"last_en_name", id.LastName},
		{"bill_country_code", id.BillCountry}, {"area_code", id.AreaCode}, {"phone", id.Phone}, {"address", id.Address},
		{"city", id.City}, {"state", id.State}, {"post_code", id.PostCode}} {
		if f.value != "" {
			out = append(out, "kyc."+f.name)
		}
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
