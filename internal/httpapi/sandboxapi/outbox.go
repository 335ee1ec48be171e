package sandboxapi

import (
	"net/http"
	"strconv"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
)

// OutboxEntry is one recorded message of the sandbox providers.
type OutboxEntry struct {
	Channel, To, Subject, Body, OTP string
	CreatedAt                       string
}

// Outbox lists what the sandbox e-mail and push providers recorded,
// newest first.
type Outbox interface {
	Outbox(to string, limit int) []OutboxEntry
}

// Outbox serves GET /sandbox/outbox.
func (s *Helpers) Outbox(w http.ResponseWriter, r *http.Request) error {
	limit := 50
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return apperr.Validation(map[string]string{"limit": "must be a positive integer"})
		}
		limit = min(n, 500)
	}
	type entryJSON struct {
		Channel   string `json:"channel"`
		To        string `json:"to"`
		Subject   string `json:"subject"`
		Body      string `json:"body"`
		OTP       string `json:"otp"`
		CreatedAt string `json:"created_at"`
	}
	out := []entryJSON{}
	for _, e := range s.Sim.Outbox.Outbox(r.URL.Query().Get("email"), limit) {
		out = append(out, entryJSON(e))
	}
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKB(r, "OK", out))
	return nil
}
