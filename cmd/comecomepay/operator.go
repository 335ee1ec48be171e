package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"

	"github.com/comecomepay/comecomepay/internal/app"
)

const withdrawalsUsage = "usage: comecomepay withdrawals list | approve ID | reject ID REASON"

// withdrawals is the operator's withdrawal review until the authenticated
// admin API exists: list pending ones, approve (queues the custody
// submission) or reject (refunds amount + fee).
func withdrawals(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(withdrawalsUsage)
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	a, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{})
	if err != nil {
		return err
	}
	defer a.Close(context.WithoutCancel(ctx)) //nolint:errcheck
	switch {
	case args[0] == "list" && len(args) == 1:
		list, err := a.Wallets.PendingWithdrawals(ctx, 100)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%-8s %-8s %-12s %14s %10s  %s\n", "ID", "USER", "CURRENCY", "AMOUNT", "FEE", "ADDRESS")
		for _, w := range list {
			fmt.Fprintf(stdout, "%-8d %-8d %-12s %14s %10s  %s\n", w.ID, w.UserID, w.Currency.Name,
				w.Amount.Format(w.Currency.Decimals), w.Fee.Format(w.Currency.Decimals), w.Address)
		}
		return nil
	case args[0] == "approve" && len(args) == 2:
		id, err := strconv.ParseInt(args[1], 10, 64)
		if err != nil {
			return errors.New(withdrawalsUsage)
		}
		if err := a.Wallets.ApproveWithdrawal(ctx, a.Jobs, id); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "withdrawal %d approved; a running server submits it to custody\n", id)
		return nil
	case args[0] == "reject" && len(args) >= 3:
		id, err := strconv.ParseInt(args[1], 10, 64)
		if err != nil {
			return errors.New(withdrawalsUsage)
		}
		if err := a.Wallets.RejectWithdrawal(ctx, id, strings.Join(args[2:], " ")); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "withdrawal %d rejected; amount and fee returned to the user\n", id)
		return nil
	}
	return errors.New(withdrawalsUsage)
}
