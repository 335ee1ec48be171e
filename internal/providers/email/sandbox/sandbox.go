// Package sandbox is the offline e-mail provider: it records messages in an
// in-memory outbox that tests and the sandbox API read.
package sandbox

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/comecomepay/comecomepay/internal/mail"
)

// Sent is a recorded message.
type Sent struct {
	mail.Message
	SentAt time.Time
}

// Outbox records sent messages, newest last, keeping at most limit.
type Outbox struct {
	mu       sync.Mutex
	sent     []Sent
	limit    int
	failures int
	now      func() time.Time
}

// FailNext makes the next n sends fail as an unreachable mail server would.
func (o *Outbox) FailNext(n int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.failures += n
}

// NewOutbox returns an empty outbox.
func NewOutbox(now func() time.Time) *Outbox { return &Outbox{limit: 1000, now: now} }

// Send implements mail.Sender.
func (o *Outbox) Send(_ context.Context, m mail.Message) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.failures > 0 {
		o.failures--
		return errors.New("sandbox mail: injected delivery failure")
	}
	o.sent = append(o.sent, Sent{Message: m, SentAt: o.now()})
	if len(o.sent) > o.limit {
		o.sent = o.sent[len(o.sent)-o.limit:]
	}
	return nil
}

// To returns the messages sent to addr ("" = all), newest first.
func (o *Outbox) To(addr string) []Sent {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []Sent
	for i := len(o.sent) - 1; i >= 0; i-- {
		if addr == "" || o.sent[i].To == addr {
			out = append(out, o.sent[i])
		}
	}
	return out
}
