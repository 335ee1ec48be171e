package smtp_test

import (
	"bufio"
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/mail"
	"github.com/comecomepay/comecomepay/internal/providers/email/smtp"
)

// fakeRelay is a minimal SMTP server that records the DATA it receives.
type fakeRelay struct {
	ln   net.Listener
	mu   sync.Mutex
	data []string
}

func startRelay(t *testing.T) *fakeRelay {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &fakeRelay{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go r.serve()
	return r
}

func (r *fakeRelay) serve() {
	for {
		conn, err := r.ln.Accept()
		if err != nil {
			return
		}
		go r.session(conn)
	}
}

func (r *fakeRelay) session(conn net.Conn) {
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	in := bufio.NewReader(conn)
	say := func(s string) { _, _ = conn.Write([]byte(s + "\r\n")) }
	say("220 fake ESMTP")
	for {
		line, err := in.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250-fake")
			say("250 8BITMIME")
		case strings.HasPrefix(cmd, "MAIL"), strings.HasPrefix(cmd, "RCPT"):
			say("250 ok")
		case cmd == "DATA":
			say("354 go ahead")
			var b strings.Builder
			for {
				l, err := in.ReadString('\n')
				if err != nil || l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			r.mu.Lock()
			r.data = append(r.data, b.String())
			r.mu.Unlock()
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("502 unsupported")
		}
	}
}

func (r *fakeRelay) port() int { return r.ln.Addr().(*net.TCPAddr).Port }

func TestSendDeliversMessage(t *testing.T) {
	t.Parallel()
	relay := startRelay(t)
	s := smtp.New(smtp.Config{Host: "127.0.0.1", Port: relay.port(), From: "no-reply@ccp.test", StartTLS: false})
	if err := s.Send(context.Background(), mail.Message{To: "alice@example.com", Subject: "Your code", Body: "code 12345\nbye"}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	relay.mu.Lock()
	defer relay.mu.Unlock()
	if len(relay.data) != 1 {
		t.Fatalf("relay got %d messages", len(relay.data))
	}
	for _, want := range []string{"From: no-reply@ccp.test\r\n", "To: alice@example.com\r\n", "Subject: Your code\r\n", "code 12345\r\nbye"} {
		if !strings.Contains(relay.data[0], want) {
			t.Errorf("message lacks %q:\n%s", want, relay.data[0])
		}
	}
}

func TestSendRefuses(t *testing.T) {
	t.Parallel()
	relay := startRelay(t)
	for name, tc := range map[string]struct {
		cfg smtp.Config
		msg mail.Message
	}{
		"STARTTLS required but not offered": {smtp.Config{Host: "127.0.0.1", Port: relay.port(), From: "a@b.c", StartTLS: true}, mail.Message{To: "x@y.z", Subject: "s"}},
		"header injection in subject":       {smtp.Config{Host: "127.0.0.1", Port: relay.port(), From: "a@b.c"}, mail.Message{To: "x@y.z", Subject: "s\r\nBcc: evil@x.y"}},
		"header injection in recipient":     {smtp.Config{Host: "127.0.0.1", Port: relay.port(), From: "a@b.c"}, mail.Message{To: "x@y.z\r\nBcc: e@x.y", Subject: "s"}},
		"relay unreachable":                 {smtp.Config{Host: "127.0.0.1", Port: 1, From: "a@b.c"}, mail.Message{To: "x@y.z", Subject: "s"}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if err := smtp.New(tc.cfg).Send(context.Background(), tc.msg); err == nil {
				t.Fatal("Send succeeded, want an error")
			}
		})
	}
}
