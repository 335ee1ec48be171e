package faults

import (
	"context"
	"strconv"

	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/physical"
	"github.com/comecomepay/comecomepay/internal/threeds"
)

// IssueCard implements card.Issuer.
func (f *Issuer) IssueCard(ctx context.Context, req card.IssueRequest) (card.IssuedCard, error) {
	return inject(f, ctx, OpIssueCard, req.Reference, func(c context.Context) (card.IssuedCard, error) { return f.next.IssueCard(c, req) })
}

// SetStatus implements card.StatusIssuer.
func (f *Issuer) SetStatus(ctx context.Context, publicToken string, code card.IssuerCode) error {
	return injectErr(f, ctx, OpSetStatus, publicToken, func(c context.Context) error { return f.next.SetStatus(c, publicToken, code) })
}

// Withdraw implements card.StatusIssuer.
func (f *Issuer) Withdraw(ctx context.Context, publicToken string, amount money.Amount, reference string) error {
	return injectErr(f, ctx, OpWithdraw, reference, func(c context.Context) error { return f.next.Withdraw(c, publicToken, amount, reference) })
}

// Recharge implements card.StatusIssuer.
func (f *Issuer) Recharge(ctx context.Context, publicToken string, amount money.Amount, reference string) error {
	return injectErr(f, ctx, OpRecharge, reference, func(c context.Context) error { return f.next.Recharge(c, publicToken, amount, reference) })
}

// Void implements card.StatusIssuer.
func (f *Issuer) Void(ctx context.Context, reference string) (bool, error) {
	return inject(f, ctx, OpVoid, reference, func(c context.Context) (bool, error) { return f.next.Void(c, reference) })
}

// RevealCard implements card.SecretsIssuer.
func (f *Issuer) RevealCard(ctx context.Context, publicToken string) (card.CardSecrets, error) {
	return inject(f, ctx, OpRevealCard, publicToken, func(c context.Context) (card.CardSecrets, error) { return f.next.RevealCard(c, publicToken) })
}

// PIN implements card.SecretsIssuer.
func (f *Issuer) PIN(ctx context.Context, publicToken string) (card.Revealed, error) {
	return inject(f, ctx, OpPIN, publicToken, func(c context.Context) (card.Revealed, error) { return f.next.PIN(c, publicToken) })
}

// SetPIN implements card.SecretsIssuer.
func (f *Issuer) SetPIN(ctx context.Context, publicToken string, pin card.Revealed) error {
	return injectErr(f, ctx, OpSetPIN, publicToken, func(c context.Context) error { return f.next.SetPIN(c, publicToken, pin) })
}

// TradeState implements card.TradeSource.
func (f *Issuer) TradeState(ctx context.Context, publicToken string, tradeID int64) (card.IssuerTrade, error) {
	return inject(f, ctx, OpTradeQuery, publicToken+"/"+strconv.FormatInt(tradeID, 10), func(c context.Context) (card.IssuerTrade, error) {
		return f.next.TradeState(c, publicToken, tradeID)
	})
}

// CardBalance implements card.BalanceSource.
func (f *Issuer) CardBalance(ctx context.Context, publicToken string) (money.Amount, error) {
	return inject(f, ctx, OpCardBalance, publicToken, func(c context.Context) (money.Amount, error) { return f.next.CardBalance(c, publicToken) })
}

// ConvertToPhysical implements physical.Issuer.
func (f *Issuer) ConvertToPhysical(ctx context.Context, req physical.ConvertRequest) (string, error) {
	return inject(f, ctx, OpConvert, req.Reference, func(c context.Context) (string, error) { return f.next.ConvertToPhysical(c, req) })
}

// conversionVoid is VoidConversion's two answers in one value.
type conversionVoid struct {
	applied bool
	ext     string
}

// VoidConversion implements physical.Issuer.
func (f *Issuer) VoidConversion(ctx context.Context, reference string) (bool, string, error) {
	v, err := inject(f, ctx, OpVoidConversion, reference, func(c context.Context) (conversionVoid, error) {
		applied, ext, err := f.next.VoidConversion(c, reference)
		return conversionVoid{applied, ext}, err
	})
	return v.applied, v.ext, err
}

// SetPlan implements threeds.Issuer.
func (f *Issuer) SetPlan(ctx context.Context, publicToken string, plan threeds.Plan) error {
	return injectErr(f, ctx, OpSetPlan, publicToken, func(c context.Context) error { return f.next.SetPlan(c, publicToken, plan) })
}

// Confirm implements threeds.Issuer.
func (f *Issuer) Confirm(ctx context.Context, notificationID string, approve bool) error {
	return injectErr(f, ctx, OpConfirm, notificationID, func(c context.Context) error { return f.next.Confirm(c, notificationID, approve) })
}
