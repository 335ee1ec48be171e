package httpapi_test

import (
	"context"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/providers/custody/udun"
	"github.com/comecomepay/comecomepay/internal/providers/custody/udun/udunfake"
	"github.com/comecomepay/comecomepay/internal/wallet"
)

// TestCustodyCallbacksReplayedShuffled: UDUN's callbacks of one deposit and
// two withdrawals, every status delivered three times in a shuffled order,
// numbers sometimes as strings and sometimes as numbers, through the HTTP
// handler. Each delivery is acknowledged with "success"; the deposit is
// credited once, one withdrawal completes, the other fails and is refunded
// once.
func TestCustodyCallbacksReplayedShuffled(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		ctx := context.Background()
		srv := httptest.NewServer(h.App.Handler)
		t.Cleanup(srv.Close)
		callback := srv.URL + "/api/v1/webhooks/custody"
		f := udunfake.New(t, "test-custody-api-key", "300015")
		client, err := udun.New(udun.Config{GatewayURL: f.URL, MerchantID: "300015", APIKey: "test-custody-api-key", CallbackURL: callback},
			&http.Client{}, h.Clock.Now)
		if err != nil {
			t.Fatal(err)
		}

		acc := h.Register(t, "replay@example.com")
		addr := walletOf(t, h, acc).Balances[0].Address
		h.Deposit(t, acc, "USDT-TRC20", "100")
		usdt, _ := h.App.Wallets.Currencies.Get("USDT-TRC20")
		var ids [2]int64
		for i, gross := range []string{"40", "30"} {
			ids[i] = withdrawalOf(t, withdraw(h, acc, gross, externalTron).Expect(t, 200, "")).ID
			wd, err := h.App.Wallets.Withdrawal(ctx, ids[i])
			if err != nil {
				t.Fatal(err)
			}
			// What the production submit worker sends.
			if err := client.SubmitWithdrawal(ctx, wallet.WithdrawalOrder{BusinessID: strconv.FormatInt(wd.ID, 10), Currency: usdt,
				Address: wd.Address, Amount: wd.ActualAmount()}); err != nil {
				t.Fatal(err)
			}
		}

		deposit, err := f.DepositTrade(addr, usdt.CoinType, "25000000", 0)
		if err != nil {
			t.Fatal(err)
		}
		var trades []udunfake.Trade
		for _, status := range []int{0, 1, 3} {
			d := deposit
			d.Status = status
			trades = append(trades, d)
		}
		for i, statuses := range [][]int{{1, 3}, {1, 4}} {
			for _, status := range statuses {
				tr, err := f.WithdrawalTrade(strconv.FormatInt(ids[i], 10), status)
				if err != nil {
					t.Fatal(err)
				}
				trades = append(trades, tr)
			}
		}
		var deliveries []udunfake.Trade
		for range 3 {
			deliveries = append(deliveries, trades...)
		}
		seed := uint64(time.Now().UnixNano())
		rng := rand.New(rand.NewPCG(seed, 7))
		rng.Shuffle(len(deliveries), func(i, j int) { deliveries[i], deliveries[j] = deliveries[j], deliveries[i] })
		for i, tr := range deliveries {
			if err := f.Send(ctx, callback, tr, udunfake.NumberStyle(i%2)); err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
		}
		processAll(t, h)

		if d, err := h.App.Wallets.DepositByTrade(ctx, deposit.TradeID); err != nil || d.Status != wallet.DepositCompleted || d.Amount != 25_000_000 {
			t.Fatalf("seed %d: deposit %+v %v", seed, d, err)
		}
		for i, want := range []wallet.WithdrawalStatus{wallet.WithdrawalCompleted, wallet.WithdrawalFailed} {
			if wd, err := h.App.Wallets.Withdrawal(ctx, ids[i]); err != nil || wd.Status != want {
				t.Fatalf("seed %d: withdrawal %d: %+v %v, want %s", seed, i, wd, err, want)
			}
		}
		// 100 − 40 − 30 + 30 refunded + 25 deposited.
		if got := balanceOf(t, h, acc, "USDT-TRC20"); got != "85" {
			t.Fatalf("seed %d: balance %s, want 85", seed, got)
		}
		var events int
		if err := h.App.DB.SQL.QueryRow(`SELECT COUNT(*) FROM webhook_events WHERE provider = 'custody' AND event_key LIKE $1`,
			deposit.TradeID+":%").Scan(&events); err != nil || events != 3 {
			t.Fatalf("seed %d: %d stored events for the deposit, want 3 (one per status): %v", seed, events, err)
		}
		verifyLedger(t, h)
	}, withoutAutoSettle)
}
