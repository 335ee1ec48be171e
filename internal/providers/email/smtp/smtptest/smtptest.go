// Package smtptest runs a local SMTP relay for tests (github.com/emersion/go-smtp):
// plain, STARTTLS or implicit TLS with a certificate made for the test,
// optional AUTH PLAIN, and every accepted message kept decoded so a test can
// read, say, the one-time code a service just mailed.
package smtptest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"io"
	"log"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
)

// TLSMode is what the relay offers on its port.
type TLSMode int

const (
	// Plain offers no TLS at all.
	Plain TLSMode = iota
	// StartTLS offers the STARTTLS upgrade (port 587 style).
	StartTLS
	// Implicit speaks TLS from the first byte (SMTPS, port 465 style).
	Implicit
)

// Options shape the relay.
type Options struct {
	TLS TLSMode
	// Username and Password, when set, make AUTH PLAIN mandatory before
	// MAIL FROM. AUTH is offered only once the connection is encrypted,
	// except on a Plain relay, where it is offered in clear so a test can
	// check that the client refuses to send a password there.
	Username string
	Password string
}

// Message is one accepted message, decoded.
type Message struct {
	From    string   // envelope sender
	To      []string // envelope recipients
	Header  mail.Header
	Subject string // RFC 2047 decoded
	Body    string // transfer-decoded text (first text/plain part), LF line ends
	Raw     []byte
}

// Server is a running relay; Host and Port are where to reach it.
type Server struct {
	Host string
	Port int
	// RootCAs trusts the relay's certificate (nil on a Plain relay).
	RootCAs *x509.CertPool

	mu       sync.Mutex
	messages []Message
	arrived  chan struct{} // closed and replaced on every message
	read     map[string]int
}

// Start runs a relay on 127.0.0.1 until the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtptest: listen: %v", err)
	}
	s := &Server{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, arrived: make(chan struct{}), read: map[string]int{}}
	srv := gosmtp.NewServer(gosmtp.BackendFunc(func(*gosmtp.Conn) (gosmtp.Session, error) {
		return &session{server: s, opts: opts}, nil
	}))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.EnableSMTPUTF8 = true
	srv.ErrorLog = log.New(io.Discard, "", 0)
	if opts.TLS != Plain {
		cert, pool := selfSigned(t)
		s.RootCAs = pool
		cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		if opts.TLS == Implicit {
			ln = tls.NewListener(ln, cfg)
		} else {
			srv.TLSConfig = cfg
		}
	} else if opts.Username != "" {
		srv.AllowInsecureAuth = true
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// Messages returns every accepted message, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// To returns the messages addressed to addr (case-insensitive), oldest first.
func (s *Server) To(addr string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.to(addr)
}

// Latest returns the newest message to addr.
func (s *Server) Latest(addr string) (Message, bool) {
	got := s.To(addr)
	if len(got) == 0 {
		return Message{}, false
	}
	return got[len(got)-1], true
}

// WaitFor returns the next message to addr that no earlier WaitFor call
// returned, waiting up to 10 s: each call reads one more message of that
// mailbox, so a test that asks for a second code gets the second e-mail.
func (s *Server) WaitFor(t testing.TB, addr string) Message {
	t.Helper()
	key := strings.ToLower(addr)
	deadline := time.After(10 * time.Second)
	for {
		s.mu.Lock()
		got, arrived := s.to(addr), s.arrived
		if n := s.read[key]; len(got) > n {
			s.read[key] = n + 1
			s.mu.Unlock()
			return got[n]
		}
		s.mu.Unlock()
		select {
		case <-arrived:
		case <-deadline:
			t.Fatalf("smtptest: no new message to %s within 10 s (%d received for it)", addr, len(got))
		}
	}
}

func (s *Server) to(addr string) []Message {
	var out []Message
	for _, m := range s.messages {
		for _, rcpt := range m.To {
			if strings.EqualFold(rcpt, addr) {
				out = append(out, m)
				break
			}
		}
	}
	return out
}

func (s *Server) add(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = append(s.messages, m)
	close(s.arrived)
	s.arrived = make(chan struct{})
}

// session is one client connection of the relay.
type session struct {
	server *Server
	opts   Options
	authed bool
	from   string
	to     []string
}

func (x *session) AuthMechanisms() []string {
	if x.opts.Username == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (x *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, username, password string) error {
		if username != x.opts.Username || password != x.opts.Password {
			return gosmtp.ErrAuthFailed
		}
		x.authed = true
		return nil
	}), nil
}

func (x *session) Mail(from string, _ *gosmtp.MailOptions) error {
	if x.opts.Username != "" && !x.authed {
		return gosmtp.ErrAuthRequired
	}
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := decode(raw)
	if err != nil {
		return &gosmtp.SMTPError{Code: 554, EnhancedCode: gosmtp.EnhancedCode{5, 6, 0}, Message: "unreadable message: " + err.Error()}
	}
	m.From, m.To = x.from, append([]string(nil), x.to...)
	x.server.add(m)
	return nil
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }

// decode parses a message and decodes its subject and text body.
func decode(raw []byte) (Message, error) {
	parsed, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Message{}, err
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(parsed.Header.Get("Subject"))
	if err != nil {
		return Message{}, err
	}
	body, err := textBody(parsed.Header.Get("Content-Type"), parsed.Header.Get("Content-Transfer-Encoding"), parsed.Body)
	if err != nil {
		return Message{}, err
	}
	return Message{Header: parsed.Header, Subject: subject, Body: strings.ReplaceAll(body, "\r\n", "\n"), Raw: raw}, nil
}

// textBody returns the text of a part, looking into multipart bodies for
// the first text/plain part.
func textBody(contentType, encoding string, r io.Reader) (string, error) {
	media, params, err := mime.ParseMediaType(contentType)
	if contentType == "" {
		media, err = "text/plain", nil
	}
	if err != nil {
		return "", err
	}
	if strings.HasPrefix(media, "multipart/") {
		parts := multipart.NewReader(r, params["boundary"])
		for {
			p, err := parts.NextRawPart()
			if err != nil {
				return "", errors.New("no text/plain part")
			}
			if ct := strings.ToLower(p.Header.Get("Content-Type")); ct == "" || strings.HasPrefix(ct, "text/plain") || strings.HasPrefix(ct, "multipart/") {
				return textBody(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p)
			}
		}
	}
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, &crlfStripper{r: r})
	}
	b, err := io.ReadAll(r)
	return string(b), err
}

// crlfStripper drops the line breaks of a base64 body.
type crlfStripper struct{ r io.Reader }

func (c *crlfStripper) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	out := p[:0]
	for _, b := range p[:n] {
		if b != '\r' && b != '\n' {
			out = append(out, b)
		}
	}
	return len(out), err
}

// selfSigned makes a certificate for 127.0.0.1 and localhost and the pool
// that trusts it.
func selfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("smtptest: key: %v", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "smtptest relay"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatalf("smtptest: certificate: %v", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("smtptest: certificate: %v", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
