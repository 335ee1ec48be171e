// Package idempotency makes a money-moving request safe to retry (API.md
// §1.12): the first request with a key claims it, its final response is stored
// in the same transaction as its effect, and a retry with the same key and the
// same request replays that response instead of executing again.
package idempotency

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/platform/secret"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Timings.
const (
	// Retention is how long a stored response is replayed.
	Retention = 24 * time.Hour
	// staleClaim is when a claim whose request never finished may be taken
	// over by a retry although its process may still live: the backstop for
	// claims whose owner's liveness cannot be told (see Instance). A claim
	// whose owner is known to have ended is taken over at once.
	staleClaim = 2 * time.Minute
)

// Errors.
var (
	ErrConflict   = apperr.New("IDEMPOTENCY_CONFLICT")
	ErrInProgress = apperr.New("IDEMPOTENCY_IN_PROGRESS")
)

// ValidKey reports whether key has the format of API.md §1.12:
// 8–128 characters of [A-Za-z0-9:_.-].
func ValidKey(key string) bool {
	if len(key) < 8 || len(key) > 128 {
		return false
	}
	for i := range len(key) {
		c := key[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == ':' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// Fingerprint identifies a request: method, route, canonical JSON body (keys
// sorted, insignificant white space removed) and query string. A body that
// is not JSON is taken byte for byte.
func Fingerprint(method, route, query string, body []byte) string {
	canonical := body
	if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 {
		var v any
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.UseNumber()
		if err := dec.Decode(&v); err == nil {
			canonical = canonicalJSON(v)
		}
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n%s\n", method, route, query)
	h.Write(canonical)
	return hex.EncodeToString(h.Sum(nil))
}

func canonicalJSON(v any) []byte {
	var b bytes.Buffer
	writeCanonical(&b, v)
	return b.Bytes()
}

func writeCanonical(b *bytes.Buffer, v any) {
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			kb, _ := json.Marshal(k)
			b.Write(kb)
			b.WriteByte(':')
			writeCanonical(b, t[k])
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				b.WriteByte(',')
			}
			writeCanonical(b, e)
		}
		b.WriteByte(']')
	default:
		eb, _ := json.Marshal(t)
		b.Write(eb)
	}
}

// Store keeps keys and their responses.
type Store struct {
	db       *store.DB
	instance *Instance
	now      func() time.Time
}

// NewStore returns a Store on db whose claims are tagged with instance, the
// identity of this process.
func NewStore(db *store.DB, instance *Instance, now func() time.Time) *Store {
	return &Store{db: db, instance: instance, now: now}
}

// Stored is a response recorded for a key.
type Stored struct {
	Status int
	Body   []byte
}

// Claim is the right to execute the request of a key once.
type Claim struct {
	userID int64
	key    string
	token  string
}

// Begin claims (userID, key) for a request with fingerprint. It returns
// either a claim to execute, or the stored response to replay, or
// IDEMPOTENCY_CONFLICT / IDEMPOTENCY_IN_PROGRESS. The claim is committed at
// once, so a concurrent duplicate sees it and does not execute.
//
// A running claim is taken over when its process has ended (or, where that
// cannot be told, when it is stale). That never moves money twice: the
// claimed request stores its response with Finish in the transaction of its
// effect, so either that transaction committed — the claim reads "done" and
// is replayed; a commit still in flight holds the row lock, which the
// SELECT … FOR UPDATE below waits for — or it never will: the server aborts
// the open transaction of a session whose client is gone, and a Finish
// under the old token finds the token changed and rolls its effect back.
func (s *Store) Begin(ctx context.Context, userID int64, key, fingerprint string) (*Claim, *Stored, error) {
	now := s.now()
	instance := s.instance.current(ctx)
	claim := &Claim{userID: userID, key: key, token: secret.Hex(16)}
	var replay *Stored
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		replay = nil
		res, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys (user_id, key, fingerprint, state, lock_token, created_at, expires_at, instance_id)
			VALUES ($1, $2, $3, 'running', $4, $5, $6, $7) ON CONFLICT (user_id, key) DO NOTHING`,
			userID, key, fingerprint, claim.token, store.At(now), store.At(now.Add(Retention)), instance)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil
		}
		var (
			fp, state     string
			status        int
			body          []byte
			created, exps time.Time
			owner         int64
		)
		err = tx.QueryRowContext(ctx, `SELECT fingerprint, state, status_code, body, created_at, expires_at, instance_id
			FROM idempotency_keys WHERE user_id = $1 AND key = $2`+s.db.ForUpdate(), userID, key).
			Scan(&fp, &state, &status, &body, store.TimeInto(&created), store.TimeInto(&exps), &owner)
		if err != nil {
			return err
		}
		expired := !now.Before(exps)
		abandoned := false
		if state == "running" && !expired {
			if abandoned = now.Sub(created) > staleClaim; !abandoned {
				if abandoned, err = s.instance.ownerGone(ctx, tx, owner); err != nil {
					return err
				}
			}
		}
		switch {
		case expired || abandoned:
			_, err := tx.ExecContext(ctx, `UPDATE idempotency_keys SET fingerprint = $1, state = 'running', lock_token = $2,
				status_code = 0, body = NULL, created_at = $3, expires_at = $4, instance_id = $5 WHERE user_id = $6 AND key = $7`,
				fingerprint, claim.token, store.At(now), store.At(now.Add(Retention)), instance, userID, key)
			return err
		case fp != fingerprint:
			return ErrConflict.WithDetails("This Idempotency-Key was used for a different request")
		case state == "running":
			return ErrInProgress.WithDetails("The first request with this Idempotency-Key is still executing").WithRetryAfter(time.Second)
		default:
			replay = &Stored{Status: status, Body: body}
			return nil
		}
	})
	if err != nil {
		return nil, nil, fmt.Errorf("idempotency: begin: %w", err)
	}
	if replay != nil {
		return nil, replay, nil
	}
	return claim, nil, nil
}

// ErrClaimLost means the claim was taken over (it went stale) before the
// request finished; the caller's transaction must roll back.
var ErrClaimLost = errors.New("idempotency: claim lost")

// Finish stores the final response of a claimed request in tx, the
// transaction of its effect.
func (s *Store) Finish(ctx context.Context, tx *sql.Tx, c *Claim, status int, body []byte) error {
	res, err := tx.ExecContext(ctx, `UPDATE idempotency_keys SET state = 'done', status_code = $1, body = $2
		WHERE user_id = $3 AND key = $4 AND lock_token = $5 AND state = 'running'`, status, body, c.userID, c.key, c.token)
	if err != nil {
		return fmt.Errorf("idempotency: finish: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrClaimLost
	}
	return nil
}

// Release gives a claim up without a stored response (the request failed
// before producing a final answer), so the client may retry with the key.
func (s *Store) Release(ctx context.Context, c *Claim) error {
	_, err := s.db.SQL.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND lock_token = $3 AND state = 'running'`,
		c.userID, c.key, c.token)
	if err != nil {
		return fmt.Errorf("idempotency: release: %w", err)
	}
	return nil
}

// Purge deletes the keys whose retention ended before cutoff, in q (the
// periodic purge's transaction).
func (s *Store) Purge(ctx context.Context, q store.Querier, cutoff time.Time) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE expires_at < $1`, store.At(cutoff)); err != nil {
		return fmt.Errorf("idempotency: purge: %w", err)
	}
	return nil
}
