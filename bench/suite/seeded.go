package main

import (
	"context"
	"fmt"
	"time"

	"github.com/comecomepay/comecomepay/bench/seed"
)

// readersPlan is the users whose requests are timed on both databases:
// each has a long history (page 50 exists), notifications and a card.
func readersPlan() seed.Plan {
	return seed.Plan{Users: 400, HeavyUsers: 400, HeavyTransfers: 550, HeavyNotifications: 60, CardEvery: 1, TradesPerCard: 10,
		Deposit: 1_000_000 * seed.TransferAmount, PasswordHash: seed.UnusablePasswordHash, Chunk: 20_000}
}

// seededLatencies are the p50s of the requests a client makes most, one
// at a time, on one database.
func seededLatencies(ctx context.Context, o options, dbURL string, bulk *seed.Plan) (map[string]time.Duration, error) {
	if bulk != nil {
		fmt.Printf("seeding %d users, %d postings…\n", bulk.Users, bulk.Users*(2+2*bulk.TransfersPerUser))
		rep, err := seed.Run(ctx, dbURL, *bulk)
		if err != nil {
			return nil, err
		}
		fmt.Printf("  seeded in %s\n", rep.Took.Round(time.Second))
		report(row{name: fmt.Sprintf("seed scale %g (%d users)", o.scale, bulk.Users), unit: "s", figure: rep.Took.Seconds(),
			target: "minutes", note: fmt.Sprintf("%d postings, %d notifications, %d cards, %d trades", rep.Rows["ledger_postings"],
				rep.Rows["notifications"], rep.Rows["cards"], rep.Rows["card_trades"])})
	}
	rep, err := seed.Run(ctx, dbURL, readersPlan())
	if err != nil {
		return nil, err
	}
	s, err := startServer(ctx, o.bin, dbURL, limitsOn)
	if err != nil {
		return nil, err
	}
	defer s.stop()
	if err := enableTxPassword(ctx, s, dbURL, rep); err != nil {
		return nil, err
	}
	readers, err := newPool(rep.FirstUserID, rep.LastUserID)
	if err != nil {
		return nil, err
	}
	out := map[string]time.Duration{}
	for _, m := range seededRequests {
		do := getOp(s, m.path)
		if m.path == "" {
			do = transferOp(s, readers.users)
		}
		// One client: the latency of a request on an idle server, which is
		// what the size of the data can change (a transfer's password hash
		// would turn any fixed rate into a queue on a small machine).
		closedLoop(ctx, 1, time.Second, readers, do)
		r := closedLoop(ctx, 1, o.secs, readers, do)
		if r.failed > 0 || r.limited > 0 {
			fmt.Printf("  WARNING %s: %s\n", m.name, describe(r))
		}
		out[m.name] = r.percentile(50)
		fmt.Printf("  %-34s p50 %s p99 %s\n", m.name, r.percentile(50), r.percentile(99))
	}
	return out, nil
}

// seededRequests are timed on the empty and on the seeded database; an
// empty path is the transfer.
var seededRequests = []struct{ name, path string }{
	{"transfer-by-uid", ""},
	{"GET /user/profile", "/api/v1/user/profile"},
	{"30-s poll: GET /notifications?limit=5", "/api/v1/notifications?limit=5"},
	{"30-s poll: unread-count", "/api/v1/notifications/unread-count"},
	{"history page 1", "/api/v1/wallet/unified-transactions?page=1&page_size=20"},
	{"history page 50", "/api/v1/wallet/unified-transactions?page=50&page_size=20"},
	{"GET /card/list", "/api/v1/card/list"},
}

// seeded compares the p50s on a database holding only the timed users
// with one that also holds the production-size seed.
func seeded(ctx context.Context, o options) error {
	if o.scale <= 0 {
		return nil
	}
	emptyURL, err := freshDB(ctx, o, "ccp_bench_empty")
	if err != nil {
		return err
	}
	fmt.Println("empty database:")
	empty, err := seededLatencies(ctx, o, emptyURL, nil)
	if err != nil {
		return err
	}
	seededURL, err := freshDB(ctx, o, "ccp_bench_seeded")
	if err != nil {
		return err
	}
	bulk := seed.FromScale(o.scale)
	full, err := seededLatencies(ctx, o, seededURL, &bulk)
	if err != nil {
		return err
	}
	for _, m := range seededRequests {
		report(row{name: "seeded p50: " + m.name, unit: "ms", figure: ms(full[m.name]), refName: "ms empty", ref: ms(empty[m.name]),
			target: "≤ 1.50", met: atMost(1.5)})
	}
	return nil
}
