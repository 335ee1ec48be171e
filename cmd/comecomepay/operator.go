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
	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/coupon"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

const withdrawalsUsage = "usage: comecomepay withdrawals list | approve ID [REASON] | reject ID REASON"

// withdrawals is the withdrawal review on the server's command line: list
// pending ones, approve (queues the custody submission) or reject (refunds
// amount + fee). It goes through the back office like the admin API, audited
// as actor "cli". A withdrawal above the four-eyes threshold cannot be
// approved here: four-eyes needs two signed-in operators (admin API).
func withdrawals(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(withdrawalsUsage)
	}
	a, err := openApp(ctx, getenv)
	if err != nil {
		return err
	}
	defer a.Close(context.WithoutCancel(ctx)) //nolint:errcheck
	ctx = audit.WithActor(ctx, audit.CLI())
	switch {
	case args[0] == "list" && len(args) == 1:
		list, _, err := a.Office.Withdrawals(ctx, wallet.WithdrawalFilter{Status: wallet.WithdrawalPending}, 100, 0)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%-8s %-8s %-12s %14s %10s  %s\n", "ID", "USER", "CURRENCY", "AMOUNT", "FEE", "ADDRESS")
		for _, w := range list {
			fmt.Fprintf(stdout, "%-8d %-8d %-12s %14s %10s  %s\n", w.ID, w.UserID, w.Currency.Name,
				w.Amount.Format(w.Currency.Decimals), w.Fee.Format(w.Currency.Decimals), w.Address)
		}
		return nil
	case args[0] == "approve" && len(args) >= 2:
		id, err := strconv.ParseInt(args[1], 10, 64)
		if err != nil {
			return errors.New(withdrawalsUsage)
		}
		reason := strings.Join(args[2:], " ")
		if reason == "" {
			reason = "approved on the command line"
		}
		_, out, err := a.Office.ApproveWithdrawal(ctx, id, reason)
		if errors.Is(err, errCLIFourEyes) {
			return fmt.Errorf("withdrawal %d is above the four-eyes threshold: two operators must approve it through the admin API "+
				"(POST /api/v1/admin/withdrawals/%d/approve, then POST /api/v1/admin/approvals/{id}/approve)", id, id)
		}
		if err != nil {
			return err
		}
		if !out.Executed {
			return fmt.Errorf("withdrawal %d was not approved", id)
		}
		fmt.Fprintf(stdout, "withdrawal %d approved; a running server submits it to custody\n", id)
		return nil
	case args[0] == "reject" && len(args) >= 3:
		id, err := strconv.ParseInt(args[1], 10, 64)
		if err != nil {
			return errors.New(withdrawalsUsage)
		}
		if _, err := a.Office.RejectWithdrawal(ctx, id, strings.Join(args[2:], " ")); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "withdrawal %d rejected; amount and fee returned to the user\n", id)
		return nil
	}
	return errors.New(withdrawalsUsage)
}

// errCLIFourEyes is how the approval service refuses a four-eyes request
// from the command line (it has no second operator to ask).
var errCLIFourEyes = apperr.New(apperr.CodeForbidden)

const couponsUsage = "usage: comecomepay coupons create CODE NAME fixed|percentage VALUE [claimable] | assign CODE USER_ID"

// coupons lets operators define and hand out fee coupons from a server's
// shell, through the same back-office actions as the admin API, audited as
// actor cli. VALUE is USD for fixed coupons and percent points otherwise.
func coupons(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(couponsUsage)
	}
	a, err := openApp(ctx, getenv)
	if err != nil {
		return err
	}
	defer a.Close(context.WithoutCancel(ctx)) //nolint:errcheck
	ctx = audit.WithActor(ctx, audit.CLI())
	switch {
	case args[0] == "create" && (len(args) == 5 || len(args) == 6):
		value, err := money.ParsePositive(args[4], 2)
		if err != nil {
			return fmt.Errorf("VALUE: %w", err)
		}
		c, err := a.Office.CreateCoupon(ctx, coupon.Coupon{Code: args[1], Name: args[2], Type: coupon.Kind(args[3]), Value: int64(value),
			Claimable: len(args) == 6 && args[5] == "claimable"})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "coupon %s created (id %d)\n", c.Code, c.ID)
		return nil
	case args[0] == "assign" && len(args) == 3:
		userID, err := strconv.ParseInt(args[2], 10, 64)
		if err != nil || userID <= 0 {
			return errors.New(couponsUsage)
		}
		c, err := a.Office.CouponByCode(ctx, args[1])
		if err != nil {
			return err
		}
		res, err := a.Office.AssignCoupon(ctx, c.ID, []int64{userID})
		if err != nil {
			return err
		}
		if len(res.Assigned) == 0 {
			fmt.Fprintf(stdout, "user %d already holds coupon %s (or the account is closed): nothing assigned\n", userID, c.Code)
			return nil
		}
		fmt.Fprintf(stdout, "coupon %s assigned to user %d\n", c.Code, userID)
		return nil
	}
	return errors.New(couponsUsage)
}

// openApp builds the service (without serving or working jobs) for an
// operator command; jobs it inserts are worked by the running server.
func openApp(ctx context.Context, getenv func(string) string) (*app.App, error) {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return nil, err
	}
	return app.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{})
}
