package issuerpoll_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/comecomepay/comecomepay/internal/apptest"
	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/card/issuerpoll"
	"github.com/comecomepay/comecomepay/internal/jobs"
	"github.com/comecomepay/comecomepay/internal/money"
	"github.com/comecomepay/comecomepay/internal/swap"
	"github.com/comecomepay/comecomepay/internal/webhook"
)

// fakeSource is an issuer read in memory: tasks by reference, a change
// feed of trades (each change a new row with the next sequence number; the
// cursor is the last sequence read) and card states.
type fakeSource struct {
	mu     sync.Mutex
	tasks  map[string]issuerpoll.IssuanceTask
	feed   []issuerpoll.Trade
	states map[string]issuerpoll.CardState
	reads  int
}

func newFakeSource() *fakeSource {
	return &fakeSource{tasks: map[string]issuerpoll.IssuanceTask{}, states: map[string]issuerpoll.CardState{}}
}

func (f *fakeSource) IssuanceTask(_ context.Context, ref string) (issuerpoll.IssuanceTask, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.tasks[ref]
	if !ok {
		return issuerpoll.IssuanceTask{}, issuerpoll.ErrUnknownTask
	}
	return t, nil
}

func (f *fakeSource) Trades(_ context.Context, cursor string, limit int) (issuerpoll.TradePage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	from, _ := strconv.Atoi(cursor)
	end := min(from+limit, len(f.feed))
	if from >= end {
		return issuerpoll.TradePage{Next: cursor}, nil
	}
	return issuerpoll.TradePage{Trades: slices.Clone(f.feed[from:end]), Next: strconv.Itoa(end), More: end < len(f.feed)}, nil
}

func (f *fakeSource) CardStates(_ context.Context, tokens []string) ([]issuerpoll.CardState, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []issuerpoll.CardState
	for _, t := range tokens {
		if st, ok := f.states[t]; ok {
			out = append(out, st)
		}
	}
	return out, nil
}

func (f *fakeSource) add(t ...issuerpoll.Trade) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.feed = append(f.feed, t...)
}

// failingInbox stores the first n events, then fails: a process that dies
// between storing events and saving the cursor.
type failingInbox struct {
	*webhook.Inbox
	left int
}

func (i *failingInbox) Receive(ctx context.Context, jobs webhook.Inserter, provider, key string, payload []byte) (int64, bool, error) {
	if i.left == 0 {
		return 0, false, errors.New("crash")
	}
	i.left--
	return i.Inbox.Receive(ctx, jobs, provider, key, payload)
}

type fixture struct {
	h      *apptest.Harness
	src    *fakeSource
	poller *issuerpoll.Poller
}

func newFixture(t *testing.T, h *apptest.Harness, inbox issuerpoll.Inbox) *fixture {
	t.Helper()
	src := newFakeSource()
	if inbox == nil {
		inbox = h.App.Inbox
	}
	p, err := issuerpoll.New(issuerpoll.Deps{DB: h.App.DB, Source: src, Cards: h.App.Cards, Inbox: inbox, Jobs: h.App.Jobs,
		Log: h.App.Log, Now: h.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{h: h, src: src, poller: p}
}

func (f *fixture) poll(t *testing.T) {
	t.Helper()
	if err := f.poller.Poll(context.Background()); err != nil {
		t.Fatalf("poll: %v", err)
	}
}

// toppedCard is a card holder whose card holds the HKD of 50 USDT.
func toppedCard(t *testing.T, h *apptest.Harness, email string) (apptest.Account, apptest.Card) {
	t.Helper()
	acc, c := h.CardHolder(t, email)
	h.Deposit(t, acc, "USDT-TRC20", "100")
	pair, err := h.App.Swaps.ParsePair("USDT-TRC20", "HKD")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.App.Swaps.Execute(context.Background(), swap.Input{UserID: acc.ID, Pair: pair, Amount: 50_000_000, CardID: c.ID}); err != nil {
		t.Fatalf("top up: %v", err)
	}
	return acc, c
}

func balance(t *testing.T, h *apptest.Harness, acc apptest.Account, c apptest.Card) (card.Card, money.Amount) {
	t.Helper()
	ctx := context.Background()
	cur, err := h.App.Cards.Get(ctx, acc.ID, c.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	b, err := h.App.Cards.Balance(ctx, h.App.DB.SQL, cur)
	if err != nil {
		t.Fatal(err)
	}
	return cur, b
}

// polledKeys are the inbox keys the poller stored, in the order stored,
// with their processing state.
func polledKeys(t *testing.T, h *apptest.Harness) []string {
	t.Helper()
	rows, err := h.App.DB.SQL.QueryContext(context.Background(),
		`SELECT event_key, state FROM webhook_events WHERE provider = 'issuer' AND event_key LIKE 'poll:%' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k, s string
		if err := rows.Scan(&k, &s); err != nil {
			t.Fatal(err)
		}
		out = append(out, k+" "+s)
	}
	return out
}

func verifyLedger(t *testing.T, h *apptest.Harness) {
	t.Helper()
	report, err := h.App.Ledger.VerifySnapshot(context.Background())
	if err != nil || !report.OK() {
		t.Fatalf("ledger verify: %v\n%s", err, report)
	}
}

func hkd(t *testing.T, s string) money.Amount {
	t.Helper()
	a, err := money.ParsePositive(s, 2)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// purchases is the trade feed of the tests: a purchase authorised, then
// cleared (a second row of the same trade), a second purchase reversed by a
// type-18 row, and a refund of the first.
func purchases(token string, at time.Time) [][]issuerpoll.Trade {
	auth := issuerpoll.Trade{TradeID: 9001, PublicToken: token, Type: issuerpoll.TypeAuthorization, State: issuerpoll.TradeAuthorized,
		Amount: "100.00", CurrencyCode: "HKD", MerchantName: "SHOP A", MerchantCountry: "HK", OccurredAt: at}
	cleared := auth
	cleared.State, cleared.ClearAmount, cleared.ClearedAt = issuerpoll.TradeCleared, "100.00", at.Add(time.Hour)
	second := issuerpoll.Trade{TradeID: 9002, PublicToken: token, Type: issuerpoll.TypeAuthorization, State: issuerpoll.TradeAuthorized,
		Amount: "40.00", CurrencyCode: "HKD", MerchantName: "SHOP B", OccurredAt: at.Add(time.Minute)}
	reversal := issuerpoll.Trade{TradeID: 9003, PublicToken: token, Type: issuerpoll.TypeReversal, OriginalTradeID: 9002,
		Amount: "40.00", OccurredAt: at.Add(2 * time.Minute)}
	refund := issuerpoll.Trade{TradeID: 9004, PublicToken: token, Type: issuerpoll.TypeRefund, OriginalTradeID: 9001,
		Amount: "30.00", OccurredAt: at.Add(2 * time.Hour)}
	return [][]issuerpoll.Trade{{auth, second}, {cleared, reversal, refund}}
}

// TestPollTrades: trades read from the issuer move the card's money as
// pushed events do, in the order read; reading again (the cursor lost, or
// never saved because the process died after storing part of a page)
// stores nothing new and ends in the same state.
func TestPollTrades(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc, c := toppedCard(t, h, "poll-trades@example.com")
		_, start := balance(t, h, acc, c)
		f := newFixture(t, h, nil)
		feed := purchases(c.PublicToken, h.Clock.Now())

		f.src.add(feed[0]...)
		f.poll(t)
		if _, b := balance(t, h, acc, c); b != start-hkd(t, "140.00") {
			t.Fatalf("after two authorisations the card holds %d, want %d", b, start-hkd(t, "140.00"))
		}
		f.src.add(feed[1]...)
		f.poll(t)
		want := start - hkd(t, "100.00") + hkd(t, "30.00")
		if _, b := balance(t, h, acc, c); b != want {
			t.Fatalf("after clearing, reversal and refund the card holds %d, want %d", b, want)
		}
		wantKeys := []string{
			"poll:trade:9001:authorized processed", "poll:trade:9002:authorized processed",
			"poll:trade:9001:cleared processed", "poll:trade:9003:reversed processed", "poll:trade:9004:refunded processed",
		}
		if got := polledKeys(t, h); !slices.Equal(got, wantKeys) {
			t.Fatalf("inbox %q,\nwant %q", got, wantKeys)
		}
		verifyLedger(t, h)

		// The cursor lost: everything is read again, and nothing changes.
		if _, err := h.App.DB.SQL.Exec(`DELETE FROM issuer_poll_cursors`); err != nil {
			t.Fatal(err)
		}
		f.poll(t)
		if got := polledKeys(t, h); !slices.Equal(got, wantKeys) {
			t.Fatalf("after a re-read the inbox is %q", got)
		}
		if _, b := balance(t, h, acc, c); b != want {
			t.Fatalf("after a re-read the card holds %d, want %d", b, want)
		}
		verifyLedger(t, h)
	})
}

// TestPollCrashBeforeCursor: a poll that stored part of a page and died
// before saving the cursor is completed by the next one, with each event
// stored once and the same balances as a poll that never failed.
func TestPollCrashBeforeCursor(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc, c := toppedCard(t, h, "poll-crash@example.com")
		_, start := balance(t, h, acc, c)
		crashing := &failingInbox{Inbox: h.App.Inbox, left: 2}
		f := newFixture(t, h, crashing)
		feed := purchases(c.PublicToken, h.Clock.Now())
		f.src.add(feed[0]...)
		f.src.add(feed[1]...)
		if err := f.poller.Poll(context.Background()); err == nil {
			t.Fatal("a poll whose inbox failed reported success")
		}
		var cursor string
		_ = h.App.DB.SQL.QueryRow(`SELECT cursor FROM issuer_poll_cursors WHERE name = 'trades'`).Scan(&cursor)
		if cursor != "" {
			t.Fatalf("cursor saved at %q although the page was not stored", cursor)
		}
		crashing.left = -1 // the process restarted
		f.poll(t)
		want := start - hkd(t, "100.00") + hkd(t, "30.00")
		if _, b := balance(t, h, acc, c); b != want {
			t.Fatalf("card holds %d, want %d", b, want)
		}
		if got := polledKeys(t, h); len(got) != 5 {
			t.Fatalf("inbox %q, want each of the 5 events once", got)
		}
		verifyLedger(t, h)
	})
}

// TestPollCardState: a status the issuer changed on its side (a block) is
// followed here once; while a change of ours is at the issuer, a difference
// proves nothing and is not reported.
func TestPollCardState(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc, c := h.CardHolder(t, "poll-state@example.com")
		f := newFixture(t, h, nil)
		f.src.states[c.PublicToken] = issuerpoll.CardState{PublicToken: c.PublicToken, Code: card.CodeActive}
		f.poll(t)
		if got := polledKeys(t, h); len(got) != 0 {
			t.Fatalf("states agree, yet the inbox got %q", got)
		}
		f.src.states[c.PublicToken] = issuerpoll.CardState{PublicToken: c.PublicToken, Code: card.CodeFrozen, Reason: "fraud check"}
		f.poll(t)
		f.poll(t)
		if cur, _ := balance(t, h, acc, c); cur.Status != card.StatusFrozen || cur.StatusUpdatedBy != "issuer" {
			t.Fatalf("card %s by %s, want frozen by the issuer", cur.Status, cur.StatusUpdatedBy)
		}
		// Active again at the issuer, then frozen again: each is a new event.
		f.src.states[c.PublicToken] = issuerpoll.CardState{PublicToken: c.PublicToken, Code: card.CodeActive}
		f.poll(t)
		f.src.states[c.PublicToken] = issuerpoll.CardState{PublicToken: c.PublicToken, Code: card.CodeFrozen}
		f.poll(t)
		got := polledKeys(t, h)
		want := []string{"poll:card:" + c.PublicToken + ":G1:0 processed", "poll:card:" + c.PublicToken + ":00:1 processed",
			"poll:card:" + c.PublicToken + ":G1:2 processed"}
		if !slices.Equal(got, want) {
			t.Fatalf("inbox %q,\nwant %q", got, want)
		}
		if cur, _ := balance(t, h, acc, c); cur.Status != card.StatusFrozen {
			t.Fatalf("card %s, want frozen", cur.Status)
		}
	})
}

// TestPollIssuance: a task the issuer completed is completed here with its
// card, once; a task the issuer does not know yet is left alone.
func TestPollIssuance(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		acc, _ := h.CardHolder(t, "poll-issue@example.com")
		// A second application the simulator never completes: the task
		// stays at the issuer, as with an issuer that answers later.
		h.App.IssuerSim.FailNext("issue_card", 1000)
		taskID := apply(t, h, acc)
		f := newFixture(t, h, nil)
		f.poll(t) // unknown to the source yet
		ref := card.TaskReference(taskID)
		f.src.tasks[ref] = issuerpoll.IssuanceTask{State: issuerpoll.TaskProcessing}
		f.poll(t)
		if got := polledKeys(t, h); len(got) != 0 {
			t.Fatalf("a task still processing produced %q", got)
		}
		f.src.tasks[ref] = issuerpoll.IssuanceTask{State: issuerpoll.TaskCompleted, Card: issuerpoll.IssuedCard{PublicToken: "700000001",
			MaskedPAN: "424242******0001", Expiry: h.Clock.Now().AddDate(3, 0, 0)}}
		f.poll(t)
		f.poll(t)
		res := h.Do(http.MethodGet, "/api/v1/card/apply/progress/"+strconv.FormatInt(taskID, 10), nil, apptest.Bearer(acc.Access)).Expect(t, 200, "")
		d := apptest.Data[apptest.CardTask](t, res)
		if d.Status != "completed" || len(d.List) != 1 || d.List[0].PublicToken != "700000001" {
			t.Fatalf("task %s", res.Body)
		}
		if got := polledKeys(t, h); !slices.Equal(got, []string{"poll:issuance:" + ref + ":completed processed"}) {
			t.Fatalf("inbox %q", got)
		}
	})
}

// apply pays another virtual card fee and applies; it returns once the
// task is at the issuer (processing).
func apply(t *testing.T, h *apptest.Harness, acc apptest.Account) int64 {
	t.Helper()
	auth := apptest.Bearer(acc.Access)
	h.Deposit(t, acc, "USDT-TRC20", "5")
	res := h.Do(http.MethodPost, "/api/v1/CardFee/CreatePayment", map[string]string{"card_type": "virtual"}, auth).Expect(t, 200, "")
	ref := apptest.Decode[apptest.FeePayment](t, res).Payment.TransactionRef
	h.Do(http.MethodPost, "/api/v1/CardFee/CompletePayment/"+ref, map[string]string{"payment_currency": "USDT-TRC20"}, auth).Expect(t, 200, "")
	res = h.Do(http.MethodPost, "/api/v1/card/apply", map[string]any{"physical": false}, auth).Expect(t, 200, "")
	id := apptest.Data[apptest.CardApplied](t, res).TaskID
	deadline := time.Now().Add(10 * time.Second)
	for {
		var status string
		if err := h.App.DB.SQL.QueryRow(`SELECT status FROM card_tasks WHERE id = $1`, id).Scan(&status); err != nil {
			t.Fatal(err)
		}
		if status == string(card.TaskProcessing) {
			return id
		}
		if time.Now().After(deadline) {
			t.Fatalf("task %d %s, want processing", id, status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestPollOneAtATime: while a poll is queued or running, the next period's
// insert is skipped, on every replica (the uniqueness lives in the table).
func TestPollOneAtATime(t *testing.T) {
	t.Parallel()
	apptest.EachEngine(t, func(t *testing.T, h *apptest.Harness) {
		ctx := context.Background()
		workers := river.NewWorkers()
		river.AddWorker(workers, issuerpoll.NewWorker(newFixture(t, h, nil).poller))
		client, err := jobs.New(h.App.DB, workers, jobs.Options{})
		if err != nil {
			t.Fatal(err)
		}
		first, err := client.Insert(ctx, issuerpoll.Args{}, &river.InsertOpts{ScheduledAt: time.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		second, err := client.Insert(ctx, issuerpoll.Args{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if first.UniqueSkippedAsDuplicate || !second.UniqueSkippedAsDuplicate {
			t.Fatalf("first skipped %v, second skipped %v: want only the second skipped", first.UniqueSkippedAsDuplicate,
				second.UniqueSkippedAsDuplicate)
		}
	})
}
