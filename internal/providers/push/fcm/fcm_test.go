package fcm_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/comecomepay/comecomepay/internal/notify"
	"github.com/comecomepay/comecomepay/internal/providers/push/fcm"
)

// fakeFCM is a local stand-in for Google's token endpoint and FCM v1.
type fakeFCM struct {
	t      *testing.T
	pub    *rsa.PublicKey
	mu     sync.Mutex
	tokens int // access tokens issued
	sent   []map[string]any
	// answers by device token: HTTP status and error body
	answers map[string][]func(w http.ResponseWriter)
}

func (f *fakeFCM) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		claims := jwt.MapClaims{}
		_, err := jwt.ParseWithClaims(r.Form.Get("assertion"), claims, func(*jwt.Token) (any, error) { return f.pub, nil },
			jwt.WithValidMethods([]string{"RS256"}))
		if err != nil || r.Form.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" ||
			claims["iss"] != "push@test.iam.gserviceaccount.com" || claims["scope"] != "https://www.googleapis.com/auth/firebase.messaging" {
			http.Error(w, "bad assertion", http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		f.tokens++
		n := f.tokens
		f.mu.Unlock()
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "at-" + string(rune('0'+n)), "expires_in": 3600})
	})
	mux.HandleFunc("POST /v1/projects/demo-project/messages:send", func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer at-") {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var body struct {
			Message map[string]any `json:"message"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		token, _ := body.Message["token"].(string)
		f.mu.Lock()
		defer f.mu.Unlock()
		if q := f.answers[token]; len(q) > 0 {
			f.answers[token] = q[1:]
			q[0](w)
			return
		}
		f.sent = append(f.sent, body.Message)
		_, _ = w.Write([]byte(`{"name":"projects/demo-project/messages/1"}`))
	})
	return mux
}

func errorAnswer(status int, body string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) { w.WriteHeader(status); _, _ = w.Write([]byte(body)) }
}

func newClient(t *testing.T) (*fcm.Client, *fakeFCM) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeFCM{t: t, pub: &key.PublicKey, answers: map[string][]func(http.ResponseWriter){}}
	srv := httptest.NewServer(f.handler())
	t.Cleanup(srv.Close)
	creds, err := fcm.ParseCredentials(keyFile(t, key, srv.URL+"/token"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := fcm.New(creds, srv.URL, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	return c, f
}

// keyFile is a service-account key file whose token_uri is tokenURI.
func keyFile(t *testing.T, key *rsa.PrivateKey, tokenURI string) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]string{
		"type": "service_account", "project_id": "demo-project", "private_key_id": "k1",
		"private_key":  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: mustPKCS8(t, key)})),
		"client_email": "push@test.iam.gserviceaccount.com", "token_uri": tokenURI,
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustPKCS8(t *testing.T, key *rsa.PrivateKey) []byte {
	b, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestFCMPush(t *testing.T) {
	t.Parallel()
	push := notify.Push{Title: "Card payment", Body: "HKD 12.30 at SHOP", Data: map[string]string{"type": "card_transaction", "amount": "12.30"}}
	cases := []struct {
		name    string
		answers []func(http.ResponseWriter)
		want    error // nil, ErrInvalidToken, or errRetry
	}{
		{"delivered", nil, nil},
		{"unregistered token", []func(http.ResponseWriter){errorAnswer(404,
			`{"error":{"code":404,"status":"NOT_FOUND","details":[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"UNREGISTERED"}]}}`)},
			notify.ErrInvalidToken},
		{"malformed token", []func(http.ResponseWriter){errorAnswer(400,
			`{"error":{"code":400,"status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.BadRequest","fieldViolations":[{"field":"message.token","description":"Invalid registration token"}]}]}}`)},
			notify.ErrInvalidToken},
		{"message refused", []func(http.ResponseWriter){errorAnswer(400,
			`{"error":{"code":400,"status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.BadRequest","fieldViolations":[{"field":"message.data[0].key","description":"Invalid data key: from"}]}]}}`)},
			notify.ErrRejected},
		{"wrong project", []func(http.ResponseWriter){errorAnswer(404, `{"error":{"code":404,"status":"NOT_FOUND"}}`)}, errRetry},
		{"provider down", []func(http.ResponseWriter){errorAnswer(503, `{"error":{"code":503,"status":"UNAVAILABLE"}}`)}, errRetry},
		{"quota", []func(http.ResponseWriter){errorAnswer(429, `{"error":{"code":429,"status":"RESOURCE_EXHAUSTED"}}`)}, errRetry},
		{"token revoked early", []func(http.ResponseWriter){errorAnswer(401, ``)}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, f := newClient(t)
			p := push
			p.Token = "device-" + strings.ReplaceAll(tc.name, " ", "-")
			f.answers[p.Token] = tc.answers
			err := c.Push(context.Background(), p)
			switch {
			case tc.want == nil && err != nil:
				t.Fatalf("push: %v", err)
			case tc.want == notify.ErrInvalidToken && !errors.Is(err, notify.ErrInvalidToken):
				t.Fatalf("push: %v, want ErrInvalidToken", err)
			case tc.want == notify.ErrRejected && !errors.Is(err, notify.ErrRejected):
				t.Fatalf("push: %v, want ErrRejected", err)
			case tc.want == errRetry && (err == nil || errors.Is(err, notify.ErrInvalidToken) || errors.Is(err, notify.ErrRejected)):
				t.Fatalf("push: %v, want a retryable error", err)
			}
			if tc.want == nil {
				if len(f.sent) != 1 || f.sent[0]["token"] != p.Token || f.sent[0]["data"].(map[string]any)["amount"] != "12.30" ||
					f.sent[0]["notification"].(map[string]any)["title"] != "Card payment" {
					t.Fatalf("sent %v", f.sent)
				}
			}
			if wantTokens := map[bool]int{true: 2, false: 1}[tc.name == "token revoked early"]; f.tokens != wantTokens {
				t.Fatalf("%d access tokens fetched, want %d", f.tokens, wantTokens)
			}
		})
	}
}

var errRetry = errors.New("retryable")

// TestFCMTokenCached: one access token serves many sends.
func TestFCMTokenCached(t *testing.T) {
	t.Parallel()
	c, f := newClient(t)
	for i := range 5 {
		if err := c.Push(context.Background(), notify.Push{Token: "t" + string(rune('a'+i)), Title: "x", Body: "y"}); err != nil {
			t.Fatal(err)
		}
	}
	if f.tokens != 1 || len(f.sent) != 5 {
		t.Fatalf("%d tokens for %d sends", f.tokens, len(f.sent))
	}
}

// TestFCMCredentials: a key file that cannot sign stops the start-up, and
// a token endpoint that refuses the assertion fails the push, retryably.
func TestFCMCredentials(t *testing.T) {
	t.Parallel()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	good := keyFile(t, key, "http://127.0.0.1:1/token")
	for name, mutate := range map[string]func(map[string]any){
		"not a service account": func(m map[string]any) { m["type"] = "authorized_user" },
		"no project":            func(m map[string]any) { delete(m, "project_id") },
		"broken key": func(m map[string]any) {
			m["private_key"] = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
		},
	} {
		var m map[string]any
		_ = json.Unmarshal(good, &m)
		mutate(m)
		b, _ := json.Marshal(m)
		if _, err := fcm.ParseCredentials(b); err == nil {
			t.Errorf("%s: credentials accepted", name)
		}
	}
	// The fake checks the assertion against another key: it refuses it.
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeFCM{t: t, pub: &other.PublicKey, answers: map[string][]func(http.ResponseWriter){}}
	srv := httptest.NewServer(f.handler())
	t.Cleanup(srv.Close)
	creds, err := fcm.ParseCredentials(keyFile(t, key, srv.URL+"/token"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := fcm.New(creds, srv.URL, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	err = c.Push(context.Background(), notify.Push{Token: "t", Title: "x", Body: "y"})
	if err == nil || errors.Is(err, notify.ErrInvalidToken) || errors.Is(err, notify.ErrRejected) || len(f.sent) != 0 {
		t.Fatalf("push with a refused assertion: %v (sent %d)", err, len(f.sent))
	}
}
