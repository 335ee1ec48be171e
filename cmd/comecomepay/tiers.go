package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/referral"
)

const tiersUsage = `usage: comecomepay tiers list | set LEVEL,NAME,MIN,MAX,L1_CARD,L1_TX,L2_CARD,L2_TX[,DESCRIPTION] ... | delete LEVEL ...
  MAX 0 = no upper bound; rates are fractions (0.25 = 25 %). The whole table is validated after the change
  (rates in [0,1], L1+L2 <= 1 per type, ranges contiguous from 0 without overlap, last open-ended);
  several tiers can be changed in one command so that their ranges stay contiguous.`

// tiers lets operators read and change the referral tier table from a
// server shell, through the back office like the admin API (audited as the
// CLI). Commissions computed after the change use the new table.
func tiers(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(tiersUsage)
	}
	var (
		set    []referral.Tier
		remove []int
	)
	switch {
	case args[0] == "list" && len(args) == 1:
	case args[0] == "set" && len(args) >= 2:
		for _, spec := range args[1:] {
			t, err := parseTierSpec(spec)
			if err != nil {
				return fmt.Errorf("%q: %w\n%s", spec, err, tiersUsage)
			}
			set = append(set, t)
		}
	case args[0] == "delete" && len(args) >= 2:
		for _, a := range args[1:] {
			l, err := strconv.Atoi(a)
			if err != nil {
				return errors.New(tiersUsage)
			}
			remove = append(remove, l)
		}
	default:
		return errors.New(tiersUsage)
	}
	a, err := openApp(ctx, getenv)
	if err != nil {
		return err
	}
	defer a.Close(context.WithoutCancel(ctx)) //nolint:errcheck
	table, err := a.Office.TierConfigs(ctx)
	if args[0] != "list" {
		// The same audited change as the admin API's, by the CLI actor.
		table, err = a.Office.SetTiers(audit.WithActor(ctx, audit.CLI()), set, remove)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%-5s %-8s %6s %6s %9s %9s %9s %9s  %s\n", "LEVEL", "NAME", "MIN", "MAX", "L1_CARD", "L1_TX", "L2_CARD", "L2_TX", "DESCRIPTION")
	for _, t := range table {
		fmt.Fprintf(stdout, "%-5d %-8s %6d %6d %9s %9s %9s %9s  %s\n", t.Level, t.Name, t.Min, t.Max, t.L1Card, t.L1Tx, t.L2Card, t.L2Tx, t.Description)
	}
	return nil
}

// parseTierSpec reads LEVEL,NAME,MIN,MAX,L1_CARD,L1_TX,L2_CARD,L2_TX[,DESCRIPTION];
// the rules between tiers are checked by referral.ValidateTiers.
func parseTierSpec(spec string) (referral.Tier, error) {
	parts := strings.SplitN(spec, ",", 9)
	if len(parts) < 8 {
		return referral.Tier{}, errors.New("want 8 or 9 comma-separated fields")
	}
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	var (
		t    referral.Tier
		errs []error
	)
	level, err := strconv.Atoi(parts[0])
	errs = append(errs, err)
	t.Level, t.Name = level, parts[1]
	t.Min, err = strconv.ParseInt(parts[2], 10, 64)
	errs = append(errs, err)
	t.Max, err = strconv.ParseInt(parts[3], 10, 64)
	errs = append(errs, err)
	for i, dst := range []*money.Rate{&t.L1Card, &t.L1Tx, &t.L2Card, &t.L2Tx} {
		*dst, err = parseFraction(parts[4+i])
		errs = append(errs, err)
	}
	if len(parts) == 9 {
		t.Description = parts[8]
	}
	return t, errors.Join(errs...)
}

// parseFraction parses a rate that may be 0 (money.ParseRate wants > 0).
func parseFraction(s string) (money.Rate, error) {
	if r, err := money.ParseRate(s); err == nil {
		return r, nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == 0 && !strings.ContainsAny(s, "eE") {
		return 0, nil
	}
	return 0, fmt.Errorf("rate %q is not a decimal fraction", s)
}
