package smtp_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/mail"
	"github.com/comecomepay/comecomepay/internal/providers/email/smtp"
	"github.com/comecomepay/comecomepay/internal/providers/email/smtp/smtptest"
)

const (
	relayUser     = "relay-user"
	relayPassword = "relay-Pa55word"
)

// senderFor returns a Sender trusting relay; an empty password means no AUTH.
func senderFor(t *testing.T, relay *smtptest.Server, mode smtp.TLSMode, password string) *smtp.Sender {
	t.Helper()
	user := relayUser
	if password == "" {
		user = "" // no AUTH
	}
	s, err := smtp.New(smtp.Config{Host: relay.Host, Port: relay.Port, Username: user, Password: password,
		From: "no-reply@ccp.test", TLS: mode, Timeout: 5 * time.Second, RootCAs: relay.RootCAs})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// TestSendDelivers: both encrypted transports authenticate and deliver a
// UTF-8 subject and body intact; a relay on the same host can be used in clear.
func TestSendDelivers(t *testing.T) {
	t.Parallel()
	msg := mail.Message{To: "Alice@Example.com", Subject: "您的验证码 · رمزك", Body: "code 12345\nمرحبا — 你好 ✓\nbye"}
	for name, tc := range map[string]struct {
		relay    smtptest.Options
		mode     smtp.TLSMode
		password string
	}{
		"STARTTLS with AUTH":     {smtptest.Options{TLS: smtptest.StartTLS, Username: relayUser, Password: relayPassword}, smtp.StartTLS, relayPassword},
		"implicit TLS with AUTH": {smtptest.Options{TLS: smtptest.Implicit, Username: relayUser, Password: relayPassword}, smtp.ImplicitTLS, relayPassword},
		"local relay in clear":   {smtptest.Options{TLS: smtptest.Plain}, smtp.NoTLS, ""},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			relay := smtptest.Start(t, tc.relay)
			if err := senderFor(t, relay, tc.mode, tc.password).Send(context.Background(), msg); err != nil {
				t.Fatalf("Send: %v", err)
			}
			got := relay.WaitFor(t, "alice@example.com")
			if got.Subject != msg.Subject || strings.TrimRight(got.Body, "\n") != msg.Body {
				t.Fatalf("received subject %q body %q", got.Subject, got.Body)
			}
			if got.From != "no-reply@ccp.test" || got.Header.Get("From") != "<no-reply@ccp.test>" || got.Header.Get("To") != "<Alice@Example.com>" {
				t.Fatalf("envelope %s → %v, headers From %q To %q", got.From, got.To, got.Header.Get("From"), got.Header.Get("To"))
			}
			if latest, ok := relay.Latest("alice@example.com"); !ok || latest.Subject != msg.Subject {
				t.Fatalf("Latest = %+v, %v", latest, ok)
			}
		})
	}
}

// TestSendRefuses: every way a send must fail, fails.
func TestSendRefuses(t *testing.T) {
	t.Parallel()
	plain := smtptest.Start(t, smtptest.Options{TLS: smtptest.Plain})
	plainWithAuth := smtptest.Start(t, smtptest.Options{TLS: smtptest.Plain, Username: relayUser, Password: relayPassword})
	starttls := smtptest.Start(t, smtptest.Options{TLS: smtptest.StartTLS, Username: relayUser, Password: relayPassword})
	ok := mail.Message{To: "x@y.z", Subject: "s", Body: "b"}
	for name, tc := range map[string]struct {
		relay    *smtptest.Server
		mode     smtp.TLSMode
		password string
		msg      mail.Message
	}{
		"STARTTLS required but not offered": {plain, smtp.StartTLS, relayPassword, ok},
		"wrong password":                    {starttls, smtp.StartTLS, "not-the-password", ok},
		// PLAIN over a connection in clear would hand the password to anyone listening.
		"password in clear": {plainWithAuth, smtp.NoTLS, relayPassword, ok},
		// A relay that speaks STARTTLS is not an implicit TLS relay.
		"implicit TLS against a STARTTLS port": {starttls, smtp.ImplicitTLS, relayPassword, ok},
		"header injection in subject":          {starttls, smtp.StartTLS, relayPassword, mail.Message{To: "x@y.z", Subject: "s\r\nBcc: evil@x.y"}},
		"header injection in recipient":        {starttls, smtp.StartTLS, relayPassword, mail.Message{To: "x@y.z\r\nBcc: e@x.y", Subject: "s"}},
		"invalid recipient":                    {starttls, smtp.StartTLS, relayPassword, mail.Message{To: "not an address", Subject: "s"}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := senderFor(t, tc.relay, tc.mode, tc.password).Send(context.Background(), tc.msg)
			if err == nil {
				t.Fatal("Send succeeded, want an error")
			}
			if strings.Contains(err.Error(), tc.password) || strings.Contains(err.Error(), "not an address") {
				t.Fatalf("error shows the password or the address: %v", err)
			}
		})
	}
	for _, relay := range []*smtptest.Server{plain, plainWithAuth, starttls} {
		if n := len(relay.Messages()); n != 0 {
			t.Errorf("a refused send delivered %d message(s)", n)
		}
	}
}

// TestSendChecksTheCertificate: without the relay's root the system roots
// refuse its self-signed certificate.
func TestSendChecksTheCertificate(t *testing.T) {
	t.Parallel()
	relay := smtptest.Start(t, smtptest.Options{TLS: smtptest.StartTLS})
	s, err := smtp.New(smtp.Config{Host: relay.Host, Port: relay.Port, From: "a@b.c", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), mail.Message{To: "x@y.z", Subject: "s"}); err == nil {
		t.Fatal("Send trusted an unknown certificate")
	}
}

// TestSendTimesOut: a relay that accepts the connection and never greets
// costs the timeout, not a stuck job.
func TestSendTimesOut(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	s, err := smtp.New(smtp.Config{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, From: "a@b.c", Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := s.Send(context.Background(), mail.Message{To: "x@y.z", Subject: "s"}); err == nil {
		t.Fatal("Send succeeded against a silent relay")
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("Send took %s with a 300ms timeout", took)
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]smtp.Config{
		"unknown TLS mode": {Host: "h", Port: 25, From: "a@b.c", TLS: "ssl"},
		"no host":          {Port: 25, From: "a@b.c"},
		"bad sender":       {Host: "h", Port: 25, From: "not an address"},
	} {
		if _, err := smtp.New(cfg); err == nil {
			t.Errorf("%s: New accepted %+v", name, cfg)
		}
	}
}

// TestRelayReadsTheMailboxInOrder: each WaitFor returns the next message to
// that address, so a second code is read from the second e-mail.
func TestRelayReadsTheMailboxInOrder(t *testing.T) {
	t.Parallel()
	relay := smtptest.Start(t, smtptest.Options{TLS: smtptest.StartTLS})
	s := senderFor(t, relay, smtp.StartTLS, "")
	for _, body := range []string{"code 111111", "code 222222"} {
		if err := s.Send(context.Background(), mail.Message{To: "bob@example.com", Subject: "code", Body: body}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Send(context.Background(), mail.Message{To: "carol@example.com", Subject: "other", Body: "x"}); err != nil {
		t.Fatal(err)
	}
	first, second := relay.WaitFor(t, "bob@example.com"), relay.WaitFor(t, "BOB@example.com")
	if !strings.HasPrefix(first.Body, "code 111111") || !strings.HasPrefix(second.Body, "code 222222") {
		t.Fatalf("read %q then %q", first.Body, second.Body)
	}
	if latest, _ := relay.Latest("bob@example.com"); latest.Body != second.Body || len(relay.Messages()) != 3 || len(relay.To("carol@example.com")) != 1 {
		t.Fatalf("latest %q, %d messages", latest.Body, len(relay.Messages()))
	}
}
