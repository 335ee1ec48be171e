package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/httpapi"
	"github.com/comecomepay/comecomepay/internal/physical"
	issuersandbox "github.com/comecomepay/comecomepay/internal/providers/issuer/sandbox"
)

// sandboxCards lets the HTTP sandbox helper drive the simulated issuer.
type sandboxCards struct{ sim *issuersandbox.Issuer }

func (a sandboxCards) SimulateTransaction(ctx context.Context, token string, tx httpapi.SimulatedTransaction) (httpapi.SimulatedResult, error) {
	res, err := a.sim.Simulate(ctx, token, issuersandbox.Transaction(tx))
	switch {
	case errors.Is(err, issuersandbox.ErrUnknownCard):
		return httpapi.SimulatedResult{}, card.ErrCardNotFound.WithDetails("The sandbox issuer has no such card")
	case errors.Is(err, issuersandbox.ErrUnknownTrade):
		return httpapi.SimulatedResult{}, card.ErrTradeNotFound.WithDetails("No trade in a state that allows this transaction")
	}
	if err != nil {
		return httpapi.SimulatedResult(res), fmt.Errorf("app: simulate card transaction: %w", err)
	}
	return httpapi.SimulatedResult(res), nil
}

func (a sandboxCards) ReportOrder(ctx context.Context, token, orderNo string, status physical.Status, trackingNo, failReason string) (string, error) {
	return a.sim.ReportOrder(ctx, token, orderNo, status, trackingNo, failReason)
}
