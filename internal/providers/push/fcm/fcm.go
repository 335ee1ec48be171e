// Package fcm is the Firebase Cloud Messaging HTTP v1 adapter of
// notify.Pusher: one message per device token, authenticated as a Google
// service account.
//
// Decision: the service-account OAuth2 flow (a signed JWT exchanged for an
// access token, cached until shortly before it expires) comes from
// golang.org/x/oauth2/google, not the Firebase Admin SDK. The Admin SDK
// would pull in the Google Cloud client libraries, gRPC and their
// dependency tree for one REST call; oauth2 is a small, Go-team-maintained
// module, and the send itself is one JSON POST whose error answers this
// package reads (UNREGISTERED, field violations) as the Admin SDK would.
package fcm

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"

	"github.com/comecomepay/comecomepay/internal/notify"
)

// messagingScope is the OAuth2 scope of FCM sends.
const messagingScope = "https://www.googleapis.com/auth/firebase.messaging"

// Credentials are a service-account key file, checked. The key file's
// token_uri is where access tokens come from (tests point it at a local
// server).
type Credentials struct {
	ProjectID string
	keyJSON   []byte
}

// LoadCredentials reads a service-account JSON key file.
func LoadCredentials(path string) (Credentials, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Credentials{}, fmt.Errorf("fcm credentials: %w", err)
	}
	return ParseCredentials(b)
}

// ParseCredentials checks a service-account key now, so a broken file
// stops the start-up instead of the first push.
func ParseCredentials(keyJSON []byte) (Credentials, error) {
	var f struct {
		Type        string `json:"type"`
		ProjectID   string `json:"project_id"`
		ClientEmail string `json:"client_email"`
		PrivateKey  string `json:"private_key"`
	}
	if err := json.Unmarshal(keyJSON, &f); err != nil {
		return Credentials{}, fmt.Errorf("fcm credentials: %w", err)
	}
	if f.Type != "service_account" || f.ProjectID == "" || f.ClientEmail == "" || f.PrivateKey == "" {
		return Credentials{}, errors.New("fcm credentials: a service_account key with project_id, client_email and private_key is required")
	}
	if err := checkPrivateKey(f.PrivateKey); err != nil {
		return Credentials{}, fmt.Errorf("fcm credentials: private_key: %w", err)
	}
	return Credentials{ProjectID: f.ProjectID, keyJSON: keyJSON}, nil
}

// checkPrivateKey parses the key the way the token flow will sign with it.
func checkPrivateKey(pemKey string) error {
	block, _ := pem.Decode([]byte(pemKey))
	if block == nil {
		return errors.New("not PEM")
	}
	if _, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		return nil
	}
	if _, err := x509.ParsePKCS1PrivateKey(block.Bytes); err != nil {
		return errors.New("neither a PKCS#8 nor a PKCS#1 RSA key")
	}
	return nil
}

// Client sends pushes through FCM.
type Client struct {
	creds    Credentials
	endpoint string // https://fcm.googleapis.com, or a test server
	http     *http.Client

	mu     sync.Mutex
	tokens oauth2.TokenSource // caches the access token until shortly before expiry
}

// New returns a client; endpoint "" means the public FCM endpoint. The
// token exchange goes through httpClient too.
func New(creds Credentials, endpoint string, httpClient *http.Client) (*Client, error) {
	if httpClient == nil {
		return nil, errors.New("fcm: an HTTP client is required")
	}
	if endpoint == "" {
		endpoint = "https://fcm.googleapis.com"
	}
	c := &Client{creds: creds, endpoint: strings.TrimRight(endpoint, "/"), http: httpClient}
	if err := c.renewTokenSource(); err != nil {
		return nil, err
	}
	return c, nil
}

// renewTokenSource starts a token source with an empty cache; a token the
// server refused is thereby forgotten.
func (c *Client) renewTokenSource() error {
	// The context only carries the HTTP client of later token requests:
	// the library keeps it for the source's lifetime.
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, c.http)
	gc, err := google.CredentialsFromJSONWithType(ctx, c.creds.keyJSON, google.ServiceAccount, messagingScope)
	if err != nil {
		return fmt.Errorf("fcm credentials: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tokens = gc.TokenSource
	return nil
}

func (c *Client) accessToken() (*oauth2.Token, error) {
	c.mu.Lock()
	tokens := c.tokens
	c.mu.Unlock()
	tok, err := tokens.Token()
	if err != nil {
		return nil, fmt.Errorf("fcm token: %w", err)
	}
	return tok, nil
}

// Push implements notify.Pusher.
func (c *Client) Push(ctx context.Context, p notify.Push) error {
	body, err := json.Marshal(map[string]any{"message": map[string]any{
		"token":        p.Token,
		"notification": map[string]string{"title": p.Title, "body": p.Body},
		"data":         p.Data,
	}})
	if err != nil {
		return fmt.Errorf("fcm send: encode: %w", err)
	}
	for attempt := 0; ; attempt++ {
		token, err := c.accessToken()
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint+"/v1/projects/"+url.PathEscape(c.creds.ProjectID)+"/messages:send",
			bytes.NewReader(body))
		if err != nil {
			return fmt.Errorf("fcm send: %w", err)
		}
		token.SetAuthHeader(req)
		req.Header.Set("Content-Type", "application/json")
		res, err := c.http.Do(req)
		if err != nil {
			return fmt.Errorf("fcm send: %w", err)
		}
		status, e := res.StatusCode, readError(res)
		switch {
		case status == http.StatusOK:
			return nil
		case status == http.StatusUnauthorized && attempt == 0:
			// Expired or revoked early: fetch a new token once.
			if err := c.renewTokenSource(); err != nil {
				return err
			}
			continue
		case e.unregistered || (status == http.StatusBadRequest && e.badToken):
			return notify.ErrInvalidToken
		case status == http.StatusBadRequest:
			// The message itself is refused (size, reserved data key, …):
			// no retry helps, and the device is not at fault.
			return fmt.Errorf("fcm send: %w: %s", notify.ErrRejected, e.status)
		default:
			// 404 without UNREGISTERED (a wrong project), 429, 5xx and the
			// rest may pass later.
			return fmt.Errorf("fcm send: HTTP %d %s", status, e.status)
		}
	}
}

// fcmError is what an FCM error answer says, never its full text.
type fcmError struct {
	status       string // "INVALID_ARGUMENT", "UNAVAILABLE", …
	unregistered bool   // the token is gone for good
	badToken     bool   // the request was refused because of the token
}

// readError reads the error of an FCM answer: UNREGISTERED in the FcmError
// details, or a BadRequest field violation on message.token, condemn the
// device; any other INVALID_ARGUMENT is about the message.
func readError(res *http.Response) fcmError {
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	var e struct {
		Error struct {
			Status  string `json:"status"`
			Details []struct {
				ErrorCode       string `json:"errorCode"`
				FieldViolations []struct {
					Field string `json:"field"`
				} `json:"fieldViolations"`
			} `json:"details"`
		} `json:"error"`
	}
	if json.Unmarshal(b, &e) != nil {
		return fcmError{}
	}
	out := fcmError{status: e.Error.Status}
	for _, d := range e.Error.Details {
		out.unregistered = out.unregistered || d.ErrorCode == "UNREGISTERED"
		for _, v := range d.FieldViolations {
			out.badToken = out.badToken || v.Field == "message.token"
		}
	}
	return out
}
