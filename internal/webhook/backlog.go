package webhook

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/comecomepay/comecomepay/internal/store"
)

// Backlog is how many events of one provider need attention in one status
// (received: waiting for their first processing; failed: received, last
// attempt failed; unmatched: nothing of ours to apply them to) and since
// when the oldest of them waits.
type Backlog struct {
	Provider string
	Status   string
	Count    int
	Oldest   time.Time
}

// Providers are the providers the inbox processes events of.
func (i *Inbox) Providers() []string {
	out := make([]string, 0, len(i.processors))
	for p := range i.processors {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// Backlog reports, for every provider of the inbox, the events waiting to
// be processed (received or failed) and those left unmatched since
// unmatchedSince: unmatched events stay so for good unless an operator
// replays them, so only a recent window says something about today. Both
// reads go through the partial index of received and unmatched events, so
// the processed history costs nothing.
func (i *Inbox) Backlog(ctx context.Context, unmatchedSince time.Time) ([]Backlog, error) {
	found := map[[2]string]Backlog{}
	collect := func(query string, args ...any) error {
		rows, err := i.db.SQL.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var b Backlog
			if err := rows.Scan(&b.Provider, &b.Status, &b.Count, store.TimeInto(&b.Oldest)); err != nil {
				return err
			}
			found[[2]string{b.Provider, b.Status}] = b
		}
		return rows.Err()
	}
	// The states are literals so that both planners match the index's predicate.
	if err := collect(`SELECT provider, CASE WHEN last_error <> '' THEN 'failed' ELSE 'received' END, COUNT(*), MIN(received_at)
		FROM webhook_events WHERE state = 'received' GROUP BY provider, CASE WHEN last_error <> '' THEN 'failed' ELSE 'received' END`); err != nil {
		return nil, fmt.Errorf("webhook: backlog: %w", err)
	}
	if err := collect(`SELECT provider, state, COUNT(*), MIN(received_at) FROM webhook_events
		WHERE state = 'unmatched' AND received_at >= $1 GROUP BY provider, state`, store.At(unmatchedSince)); err != nil {
		return nil, fmt.Errorf("webhook: unmatched events: %w", err)
	}
	var out []Backlog
	for _, provider := range i.Providers() {
		for _, status := range []string{StateReceived, StateFailed, StateUnmatched} {
			b, ok := found[[2]string{provider, status}]
			if !ok {
				b = Backlog{Provider: provider, Status: status}
			}
			out = append(out, b)
			delete(found, [2]string{provider, status})
		}
	}
	// Events of a provider the inbox no longer processes still count.
	rest := make([]Backlog, 0, len(found))
	for _, b := range found {
		rest = append(rest, b)
	}
	slices.SortFunc(rest, func(a, b Backlog) int { return strings.Compare(a.Provider+" "+a.Status, b.Provider+" "+b.Status) })
	return append(out, rest...), nil
}
