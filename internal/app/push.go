package app

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/comecomepay/comecomepay/internal/config"
	"github.com/comecomepay/comecomepay/internal/httpapi"
	"github.com/comecomepay/comecomepay/internal/notify"
	"github.com/comecomepay/comecomepay/internal/platform/providermetrics"
	"github.com/comecomepay/comecomepay/internal/platform/tracing"
	"github.com/comecomepay/comecomepay/internal/providers/push/fcm"
	pushsandbox "github.com/comecomepay/comecomepay/internal/providers/push/sandbox"
)

// pusher picks the push provider: FCM when credentials are configured, the
// in-memory recorder in sandbox mode, otherwise none (notifications stay
// in-app only).
func (a *App) pusher(cfg config.Config, now func() time.Time, registry prometheus.Registerer) (notify.Pusher, error) {
	if cfg.FCMCredentialsFile != "" {
		creds, err := fcm.LoadCredentials(cfg.FCMCredentialsFile)
		if err != nil {
			return nil, fmt.Errorf("COMECOMEPAY_FCM_CREDENTIALS_FILE: %w", err)
		}
		return fcm.New(creds, "", tracing.ProviderClient(a.Tracing, "fcm", providermetrics.Client(registry, "fcm", 15*time.Second)))
	}
	if cfg.Mode == config.Sandbox {
		a.Pushes = pushsandbox.New(now)
		return a.Pushes, nil
	}
	a.Log.Warn("no push provider configured (COMECOMEPAY_FCM_CREDENTIALS_FILE): notifications are in-app only")
	return noPush{}, nil
}

// noPush drops pushes when no provider is configured.
type noPush struct{}

func (noPush) Push(context.Context, notify.Push) error { return nil }

// sandboxOutbox merges the recorded e-mails and pushes for GET /sandbox/outbox.
type sandboxOutbox struct {
	a       *App
	devices *notify.Devices
}

func (o sandboxOutbox) Outbox(email string, limit int) []httpapi.OutboxEntry {
	type entry struct {
		httpapi.OutboxEntry
		at time.Time
	}
	var all []entry
	if o.a.Outbox != nil {
		for _, m := range o.a.Outbox.To(strings.ToLower(strings.TrimSpace(email))) {
			all = append(all, entry{httpapi.OutboxEntry{Channel: "email", To: m.To, Subject: m.Subject, Body: m.Body, OTP: m.OTP,
				CreatedAt: m.SentAt.UTC().Format(time.RFC3339)}, m.SentAt})
		}
	}
	if o.a.Pushes != nil {
		tokens := o.tokens(email)
		for _, p := range o.a.Pushes.To("") {
			if email != "" && !tokens[p.Token] {
				continue
			}
			all = append(all, entry{httpapi.OutboxEntry{Channel: "push", To: p.Token, Subject: p.Title, Body: p.Body,
				CreatedAt: p.SentAt.UTC().Format(time.RFC3339)}, p.SentAt})
		}
	}
	// Newest first by the full time, not the second-rounded text.
	sort.SliceStable(all, func(i, j int) bool { return all[i].at.After(all[j].at) })
	out := make([]httpapi.OutboxEntry, 0, min(len(all), limit))
	for i := 0; i < len(all) && i < limit; i++ {
		out = append(out, all[i].OutboxEntry)
	}
	return out
}

// tokens are the device tokens of the account with e-mail email.
func (o sandboxOutbox) tokens(email string) map[string]bool {
	out := map[string]bool{}
	if email == "" {
		return out
	}
	// The sandbox outbox port carries no context.
	ctx := context.Background()
	userID, err := o.a.Accounts.UserIDByEmail(ctx, email)
	if err != nil {
		return out
	}
	tokens, err := o.devices.Tokens(ctx, o.a.DB.SQL, userID)
	if err != nil {
		return out
	}
	for _, t := range tokens {
		out[t] = true
	}
	return out
}
