package guard

import (
	"context"

	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/physical"
	"github.com/comecomepay/comecomepay/internal/threeds"
)

// IssueCard implements card.Issuer.
func (g *Issuer) IssueCard(ctx context.Context, req card.IssueRequest) (card.IssuedCard, error) {
	return call(g, ctx, "issue_card", func(c context.Context) (card.IssuedCard, error) { return g.next.IssueCard(c, req) })
}

// SetStatus implements card.StatusIssuer.
func (g *Issuer) SetStatus(ctx context.Context, publicToken string, code card.IssuerCode) error {
	return do(g, ctx, "set_status", func(c context.Context) error { return g.next.SetStatus(c, publicToken, code) })
}

// Withdraw implements card.StatusIssuer and swap.CardIssuer.
func (g *Issuer) Withdraw(ctx context.Context, publicToken string, amount money.Amount, reference string) error {
	return do(g, ctx, "withdraw", func(c context.Context) error { return g.next.Withdraw(c, publicToken, amount, reference) })
}

// Recharge implements card.StatusIssuer and swap.CardIssuer.
func (g *Issuer) Recharge(ctx context.Context, publicToken string, amount money.Amount, reference string) error {
	return do(g, ctx, "recharge", func(c context.Context) error { return g.next.Recharge(c, publicToken, amount, reference) })
}

// Void implements card.StatusIssuer and swap.CardIssuer.
func (g *Issuer) Void(ctx context.Context, reference string) (bool, error) {
	return call(g, ctx, "void", func(c context.Context) (bool, error) { return g.next.Void(c, reference) })
}

// RevealCard implements card.SecretsIssuer.
func (g *Issuer) RevealCard(ctx context.Context, publicToken string) (card.CardSecrets, error) {
	return call(g, ctx, "reveal_card", func(c context.Context) (card.CardSecrets, error) { return g.next.RevealCard(c, publicToken) })
}

// PIN implements card.SecretsIssuer.
func (g *Issuer) PIN(ctx context.Context, publicToken string) (card.Revealed, error) {
	return call(g, ctx, "pin", func(c context.Context) (card.Revealed, error) { return g.next.PIN(c, publicToken) })
}

// SetPIN implements card.SecretsIssuer.
func (g *Issuer) SetPIN(ctx context.Context, publicToken string, pin card.Revealed) error {
	return do(g, ctx, "set_pin", func(c context.Context) error { return g.next.SetPIN(c, publicToken, pin) })
}

// TradeState implements card.TradeSource.
func (g *Issuer) TradeState(ctx context.Context, publicToken string, tradeID int64) (card.IssuerTrade, error) {
	return call(g, ctx, "trade_query", func(c context.Context) (card.IssuerTrade, error) { return g.next.TradeState(c, publicToken, tradeID) })
}

// CardBalance implements card.BalanceSource.
func (g *Issuer) CardBalance(ctx context.Context, publicToken string) (money.Amount, error) {
	return call(g, ctx, "card_balance", func(c context.Context) (money.Amount, error) { return g.next.CardBalance(c, publicToken) })
}

// ConvertToPhysical implements physical.Issuer.
func (g *Issuer) ConvertToPhysical(ctx context.Context, req physical.ConvertRequest) (string, error) {
	return call(g, ctx, "convert_physical", func(c context.Context) (string, error) { return g.next.ConvertToPhysical(c, req) })
}

// conversionVoid is VoidConversion's two answers in one value.
type conversionVoid struct {
	applied bool
	ext     string
}

// VoidConversion implements physical.Issuer.
func (g *Issuer) VoidConversion(ctx context.Context, reference string) (bool, string, error) {
	v, err := call(g, ctx, "void_conversion", func(c context.Context) (conversionVoid, error) {
		applied, ext, err := g.next.VoidConversion(c, reference)
		return conversionVoid{applied, ext}, err
	})
	return v.applied, v.ext, err
}

// SetPlan implements threeds.Issuer.
func (g *Issuer) SetPlan(ctx context.Context, publicToken string, plan threeds.Plan) error {
	return do(g, ctx, "set_3ds_plan", func(c context.Context) error { return g.next.SetPlan(c, publicToken, plan) })
}

// Confirm implements threeds.Issuer.
func (g *Issuer) Confirm(ctx context.Context, notificationID string, approve bool) error {
	return do(g, ctx, "confirm_3ds", func(c context.Context) error { return g.next.Confirm(c, notificationID, approve) })
}
