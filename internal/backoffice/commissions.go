package backoffice

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/comecomepay/comecomepay/internal/approval"
	"github.com/comecomepay/comecomepay/internal/referral"
)

// Commissions lists referral commissions of every beneficiary.
func (s *Service) Commissions(ctx context.Context, f referral.AdminCommissionFilter, limit, offset int) ([]referral.AdminCommission, int, error) {
	return s.CardDeps.Referrals.AdminCommissions(ctx, f, limit, offset)
}

type commissionState struct {
	Status        referral.CommissionStatus `json:"status"`
	Amount        string                    `json:"amount"`
	Currency      string                    `json:"currency"`
	BeneficiaryID int64                     `json:"beneficiary_id"`
}

func stateOfCommission(c referral.AdminCommission) commissionState {
	return commissionState{Status: c.Status, Amount: c.Amount.Format(c.Decimals), Currency: c.Currency, BeneficiaryID: c.Beneficiary}
}

// commissionAction is the four-eyes payload of a commission action.
type commissionAction struct {
	CommissionID int64  `json:"commission_id"`
	Reason       string `json:"reason,omitempty"`
}

// PayCommission pays a pending commission whose beneficiary was unfrozen
// (referral.PayPendingTx has the rules): a manual credit, so a reason is
// required and four eyes above the threshold. It pays once (only a pending
// commission is paid), so a retried request cannot pay twice.
func (s *Service) PayCommission(ctx context.Context, id int64, reason string) (Outcome, referral.AdminCommission, error) {
	return s.commissionAction(ctx, KindCommissionPay, commissionAction{CommissionID: id}, reason,
		func(tx *sql.Tx) (referral.AdminCommission, referral.AdminCommission, error) {
			return s.CardDeps.Referrals.PayPendingTx(ctx, tx, id)
		})
}

// CancelCommission cancels a pending or credited commission
// (referral.CancelTx has the rules; a credited one is reversed): reason
// required, four eyes above the threshold, once only.
func (s *Service) CancelCommission(ctx context.Context, id int64, reason string) (Outcome, referral.AdminCommission, error) {
	return s.commissionAction(ctx, KindCommissionCancel, commissionAction{CommissionID: id, Reason: reason}, reason,
		func(tx *sql.Tx) (referral.AdminCommission, referral.AdminCommission, error) {
			return s.CardDeps.Referrals.CancelTx(ctx, tx, id, reason)
		})
}

func (s *Service) commissionAction(ctx context.Context, kind approval.Kind, p commissionAction, reason string,
	do func(tx *sql.Tx) (referral.AdminCommission, referral.AdminCommission, error)) (Outcome, referral.AdminCommission, error) {
	c, err := s.CardDeps.Referrals.CommissionByID(ctx, p.CommissionID)
	if err != nil {
		return Outcome{}, referral.AdminCommission{}, fmt.Errorf("backoffice: %s %d: %w", kind, p.CommissionID, err)
	}
	after := c
	out, err := s.moneyAction(ctx, MoneyAction{Kind: kind, TargetType: "commission", TargetID: strconv.FormatInt(p.CommissionID, 10),
		Currency: c.Currency, Decimals: c.Decimals, Amount: c.Amount, Payload: p, Reason: reason},
		func(tx *sql.Tx) (any, any, error) {
			before, a, err := do(tx)
			after = a
			return stateOfCommission(before), stateOfCommission(a), err
		})
	return out, after, err
}

func (s *Service) payCommissionTx(ctx context.Context, tx *sql.Tx, p commissionAction) (any, any, error) {
	before, after, err := s.CardDeps.Referrals.PayPendingTx(ctx, tx, p.CommissionID)
	return stateOfCommission(before), stateOfCommission(after), err
}

func (s *Service) cancelCommissionTx(ctx context.Context, tx *sql.Tx, p commissionAction) (any, any, error) {
	before, after, err := s.CardDeps.Referrals.CancelTx(ctx, tx, p.CommissionID, p.Reason)
	return stateOfCommission(before), stateOfCommission(after), err
}
