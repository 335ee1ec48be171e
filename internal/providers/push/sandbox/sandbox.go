// Package sandbox is the offline push provider: pushes are recorded in
// memory for the sandbox outbox and tests. Tokens starting with "invalid-"
// behave like tokens the real provider no longer accepts.
package sandbox

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/comecomepay/comecomepay/internal/notify"
)

// Sent is a recorded push.
type Sent struct {
	notify.Push
	SentAt time.Time
}

// Recorder records pushes, newest last, keeping at most 1000.
type Recorder struct {
	mu       sync.Mutex
	sent     []Sent
	failures int
	now      func() time.Time
}

// New returns an empty recorder.
func New(now func() time.Time) *Recorder { return &Recorder{now: now} }

// FailNext makes the next n pushes fail as an unreachable provider would.
func (r *Recorder) FailNext(n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failures += n
}

// Push implements notify.Pusher.
func (r *Recorder) Push(_ context.Context, p notify.Push) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if strings.HasPrefix(p.Token, "invalid-") {
		return notify.ErrInvalidToken
	}
	if r.failures > 0 {
		r.failures--
		return errors.New("sandbox push: injected provider failure")
	}
	r.sent = append(r.sent, Sent{Push: p, SentAt: r.now()})
	if len(r.sent) > 1000 {
		r.sent = r.sent[len(r.sent)-1000:]
	}
	return nil
}

// To returns the pushes sent to token ("" = all), newest first.
func (r *Recorder) To(token string) []Sent {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Sent
	for i := len(r.sent) - 1; i >= 0; i-- {
		if token == "" || r.sent[i].Token == token {
			out = append(out, r.sent[i])
		}
	}
	return out
}
