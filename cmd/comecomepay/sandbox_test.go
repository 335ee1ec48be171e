package main

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/comecomepay/comecomepay/internal/sandboxseed"
)

// TestSandboxSeed: the seed leaves one of each thing the console's queues
// show; a second run skips what exists and adds nothing; any other mode is
// refused before the database is touched.
func TestSandboxSeed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := map[string]string{"COMECOMEPAY_DATA_DIR": t.TempDir(), "COMECOMEPAY_MODE": "sandbox", "COMECOMEPAY_PASSWORD_HASH": "fast",
		"COMECOMEPAY_JOB_POLL_INTERVAL": "50ms", "COMECOMEPAY_SANDBOX_ISSUE_DELAY": "0s", "COMECOMEPAY_SANDBOX_SETTLE_DELAY": "0s"}
	getenv := envOf(env)
	var out strings.Builder
	if err := run(ctx, []string{"comecomepay", "sandbox", "seed"}, getenv, &out); err != nil {
		t.Fatalf("seed: %v\n%s", err, out.String())
	}
	for _, want := range []string{sandboxseed.KYCUser + " registered", "KYC under review", "waits for an operator", "unmatched",
		"2 purchase(s)"} {
		if !strings.Contains(out.String(), want) && !strings.Contains(out.String(), strings.Replace(want, "2", "3", 1)) {
			t.Errorf("seed output lacks %q:\n%s", want, out.String())
		}
	}
	counts := func() [4]int {
		a := openTestApp(t, getenv)
		var c [4]int
		var err error
		for i, f := range []func(context.Context) (int, error){a.Office.PendingKYCCount, a.Office.PendingWithdrawalCount,
			a.Office.UnmatchedDepositCount} {
			if c[i], err = f(ctx); err != nil {
				t.Fatal(err)
			}
		}
		h, err := a.Office.UserHoldings(ctx)
		if err != nil || len(h.Cards) != 1 || h.Cards[0].Amount <= 0 || h.Cards[0].Owners != 2 {
			t.Fatalf("card float %+v %v", h, err)
		}
		c[3] = h.Cards[0].Owners
		_ = a.Close(ctx)
		return c
	}
	if got := counts(); got != [4]int{1, 1, 1, 2} {
		t.Fatalf("after the seed: pending KYC, pending withdrawals, unmatched deposits, card holders = %v", got)
	}
	out.Reset()
	if err := run(ctx, []string{"comecomepay", "sandbox", "seed"}, getenv, &out); err != nil || strings.Count(out.String(), "skipped") != 6 {
		t.Fatalf("second seed: %v\n%s", err, out.String())
	}
	if got := counts(); got != [4]int{1, 1, 1, 2} {
		t.Fatalf("after the second seed: %v", got)
	}
	for _, args := range [][]string{{"sandbox"}, {"sandbox", "grow"}} {
		if err := run(ctx, append([]string{"comecomepay"}, args...), getenv, &out); err == nil {
			t.Errorf("%v succeeded", args)
		}
	}
	// Staging (production's behaviour on the simulators) is refused too.
	for k, v := range map[string]string{"COMECOMEPAY_MODE": "staging", "COMECOMEPAY_JWT_SECRET": "rUn7tEsT-jWt-5eCrEt-9QxW2mZr7TbY4nHs8LdP1cFg",
		"COMECOMEPAY_DATA_KEY": "q8Xv0mC3n1bA7yT5rE2wQ9uI4oP6sD8fG0hJ2kL4zX0=", "COMECOMEPAY_CUSTODY_API_KEY": "cUsToDy-9QxW2mZr7TbY4nHs8LdP1cFg6VaE0uRo5iNy",
		"COMECOMEPAY_KYC_WEBHOOK_SECRET": "kYc-9QxW2mZr7TbY4nHs8LdP1cFg6VaE0uRo5iNy3", "COMECOMEPAY_ISSUER_WEBHOOK_SECRET": "iSsUeR-9QxW2mZr7TbY4nHs8LdP1cFg6VaE0uRo5iNy",
		"COMECOMEPAY_3DS_WEBHOOK_SECRET": "tHrEeDs-9QxW2mZr7TbY4nHs8LdP1cFg6VaE0uRo5iN", "COMECOMEPAY_PASSWORD_HASH": "default"} {
		env[k] = v
	}
	if err := run(ctx, []string{"comecomepay", "sandbox", "seed"}, getenv, &out); !errors.Is(err, sandboxseed.ErrNotSandbox) {
		t.Fatalf("staging: %v", err)
	}
}
