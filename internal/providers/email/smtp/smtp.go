// Package smtp delivers e-mail through an SMTP relay with
// github.com/wneessen/go-mail: STARTTLS (required unless told otherwise),
// implicit TLS (SMTPS, port 465) or, only when asked for a local relay, no
// TLS at all. The frozen net/smtp had neither implicit TLS nor the
// challenge-based AUTH mechanisms relays offer.
package smtp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/comecomepay/comecomepay/internal/mail"
)

// TLSMode is how the connection to the relay is protected.
type TLSMode string

const (
	// StartTLS upgrades a plain connection and refuses a relay that does not
	// offer STARTTLS (usually port 587). The empty mode means this one.
	StartTLS TLSMode = "starttls"
	// ImplicitTLS speaks TLS from the first byte (SMTPS, usually port 465).
	ImplicitTLS TLSMode = "implicit"
	// NoTLS sends in clear: only for a relay on the same host or network.
	// Passwords then go only through challenge mechanisms (CRAM-MD5, SCRAM),
	// never PLAIN or LOGIN.
	NoTLS TLSMode = "none"
)

// DefaultTimeout bounds the connection and every SMTP command when
// Config.Timeout is zero.
const DefaultTimeout = 15 * time.Second

// Config is the relay to use.
type Config struct {
	Host     string
	Port     int
	Username string
	Password string
	From     string
	TLS      TLSMode
	// Timeout bounds the dial and each SMTP command (0: DefaultTimeout).
	Timeout time.Duration
	// RootCAs verify the relay's certificate; nil means the system roots.
	// Tests pass the pool of their self-signed relay.
	RootCAs *x509.CertPool
}

// Sender sends through one relay.
type Sender struct {
	from   string
	client *gomail.Client
}

// New returns a Sender for cfg, refusing a configuration the library would
// only reject at the first send.
func New(cfg Config) (*Sender, error) {
	if cfg.Host == "" || cfg.Port <= 0 {
		return nil, errors.New("smtp: host and port are required")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	opts := []gomail.Option{
		gomail.WithPort(cfg.Port),
		gomail.WithTimeout(cfg.Timeout),
		gomail.WithTLSConfig(&tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12, RootCAs: cfg.RootCAs}),
	}
	switch cfg.TLS {
	case StartTLS, "":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case ImplicitTLS:
		opts = append(opts, gomail.WithSSL())
	case NoTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		return nil, fmt.Errorf("smtp: TLS mode %q is not starttls, implicit or none", cfg.TLS)
	}
	if cfg.Username != "" {
		// Auto-discovery takes the strongest mechanism the relay offers and,
		// on a connection in clear, never a mechanism that sends the password.
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password))
	}
	client, err := gomail.NewClient(cfg.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("smtp: %w", err)
	}
	if err := gomail.NewMsg().From(cfg.From); err != nil {
		return nil, fmt.Errorf("smtp: sender address: %w", err)
	}
	return &Sender{from: cfg.From, client: client}, nil
}

// Send implements mail.Sender.
func (s *Sender) Send(ctx context.Context, m mail.Message) error {
	// The library encodes headers itself; the explicit refusal keeps a
	// crafted address or subject from ever reaching it.
	if strings.ContainsAny(m.To, "\r\n") || strings.ContainsAny(m.Subject, "\r\n") {
		return errors.New("smtp: header injection refused")
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.From(s.from); err != nil {
		return fmt.Errorf("smtp: sender address: %w", err)
	}
	if msg.To(m.To) != nil {
		// The library's error quotes the address: personal data, which the
		// job's error log must not keep.
		return errors.New("smtp: recipient address is not valid")
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageID()
	msg.SetBodyString(gomail.TypeTextPlain, m.Body)
	// The library's timeout covers the dial and each command; a shorter
	// deadline of the caller bounds the dial too.
	if err := s.client.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("smtp: send: %w", err)
	}
	return nil
}
