package httpapi

import (
	"context"
	"database/sql"
	"net/http"
	"strconv"
	"strings"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/idempotency"
)

// moneyOp is a money-moving operation: it runs inside one database
// transaction and returns the success status and body.
type moneyOp func(ctx context.Context, tx *sql.Tx) (status int, body any, err error)

// execute runs op in one transaction, honouring Idempotency-Key (API.md
// §1.12): the final response, whatever its status, is stored with the key in
// the transaction of the effect, and a retry replays it byte for byte.
// Refusals are rendered in the route's error family.
func (s *Server) execute(w http.ResponseWriter, r *http.Request, userID int64, rawBody []byte, op moneyOp) {
	ctx := r.Context()
	claim, done := s.claimKey(w, r, userID, rawBody)
	if done {
		return
	}
	var (
		status int
		out    []byte
	)
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		st, body, err := op(ctx, tx)
		if err != nil {
			return err
		}
		status, out = st, httpkit.MarshalJSON(body)
		if claim != nil {
			return s.Idempotency.Finish(ctx, tx, claim, status, out)
		}
		return nil
	})
	s.finish(w, r, claim, status, out, err)
}

// executeOnce is execute for an operation that commits its own
// transactions (the sandbox helpers, which go through the provider paths):
// the key still guarantees one execution and a replayed answer, but the
// response is stored just after the effect rather than with it.
func (s *Server) executeOnce(w http.ResponseWriter, r *http.Request, scope int64, rawBody []byte,
	op func(ctx context.Context) (int, any, error)) {
	ctx := r.Context()
	claim, done := s.claimKey(w, r, scope, rawBody)
	if done {
		return
	}
	status, body, err := op(ctx)
	var out []byte
	if err == nil {
		out = httpkit.MarshalJSON(body)
		if claim != nil {
			// The effect is committed: record its answer even if the client
			// has gone away.
			sctx := context.WithoutCancel(ctx)
			err = s.DB.InTx(sctx, func(tx *sql.Tx) error { return s.Idempotency.Finish(sctx, tx, claim, status, out) })
		}
	}
	s.finish(w, r, claim, status, out, err)
}

// errKeyRequired answers a missing or malformed key where a key is required.
var errKeyRequired = apperr.New("IDEMPOTENCY_KEY_REQUIRED").WithDetails("Send an Idempotency-Key of 8–128 characters of A-Z a-z 0-9 : _ . -")

// claimKey handles the Idempotency-Key header: a malformed key, a conflict
// or a replay is answered here (done=true); otherwise the claim (nil when no
// key was sent) is returned.
func (s *Server) claimKey(w http.ResponseWriter, r *http.Request, scope int64, rawBody []byte) (*idempotency.Claim, bool) {
	return s.claimKeyAs(w, r, scope, rawBody, false)
}

// claimKeyAs is claimKey, when required refusing a missing or malformed key
// with IDEMPOTENCY_KEY_REQUIRED (API.md §1.12). Refusals are rendered in
// the route's error family.
func (s *Server) claimKeyAs(w http.ResponseWriter, r *http.Request, scope int64, rawBody []byte, required bool) (*idempotency.Claim, bool) {
	family := familyOf(r)
	key := r.Header.Get("Idempotency-Key")
	if required && !idempotency.ValidKey(key) {
		s.writeFamilyError(w, r, errKeyRequired, family)
		return nil, true
	}
	if key == "" {
		return nil, false
	}
	if !idempotency.ValidKey(key) {
		s.writeFamilyError(w, r, apperr.Validation(map[string]string{"Idempotency-Key": "must be 8–128 characters of A-Z a-z 0-9 : _ . -"}), family)
		return nil, true
	}
	c, replay, err := s.Idempotency.Begin(r.Context(), scope, key, idempotency.Fingerprint(r.Method, fingerprintRoute(r), r.URL.RawQuery, rawBody))
	if err != nil {
		s.writeFamilyError(w, r, err, family)
		return nil, true
	}
	if replay != nil {
		w.Header().Set("Idempotent-Replayed", "true")
		httpkit.WriteRaw(w, replay.Status, replay.Body)
		return nil, true
	}
	return c, false
}

// finish writes the outcome of a claimed execution, rendering errors in the
// route's family. A business refusal is final and stored for the key; an
// internal error releases the key so the client may retry.
func (s *Server) finish(w http.ResponseWriter, r *http.Request, claim *idempotency.Claim, status int, out []byte, err error) {
	family := familyOf(r)
	ctx := r.Context()
	if err == nil {
		httpkit.WriteRaw(w, status, out)
		return
	}
	e, ok := apperr.As(err)
	if !ok {
		if claim != nil {
			_ = s.Idempotency.Release(context.WithoutCancel(ctx), claim)
		}
		s.writeFamilyError(w, r, err, family)
		return
	}
	status, body, retryAfter := s.render(r, err, family)
	out = httpkit.MarshalJSON(body)
	if claim != nil && e.Interim {
		// An interim answer: the key stays free, so a retry reaches the
		// operation again and gets its outcome.
		_ = s.Idempotency.Release(context.WithoutCancel(ctx), claim)
		claim = nil
	}
	if claim != nil {
		sctx := context.WithoutCancel(ctx)
		if err := s.DB.InTx(sctx, func(tx *sql.Tx) error { return s.Idempotency.Finish(sctx, tx, claim, status, out) }); err != nil {
			_ = s.Idempotency.Release(sctx, claim)
		}
	}
	if retryAfter != nil {
		w.Header().Set("Retry-After", strconv.Itoa(*retryAfter))
	}
	httpkit.WriteRaw(w, status, out)
}

// fingerprintRoute names the request's route for its idempotency
// fingerprint: the pattern the mux matched plus the value of each wildcard,
// so one key cannot answer two resources (two 3DS challenges, two card-fee
// payments). Patterns carry the /api/v1 prefix and the method.
func fingerprintRoute(r *http.Request) string {
	route := r.Pattern
	for rest := r.Pattern; ; {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			return route
		}
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 {
			return route
		}
		name := strings.TrimSuffix(rest[open+1:open+end], "...")
		route += " " + name + "=" + r.PathValue(name)
		rest = rest[open+end+1:]
	}
}
