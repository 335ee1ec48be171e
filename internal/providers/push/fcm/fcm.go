// Package fcm is the Firebase Cloud Messaging HTTP v1 adapter of
// notify.Pusher. It authenticates as a Google service account (a signed
// JWT exchanged for an OAuth2 access token, cached until shortly before it
// expires) and sends one message per device token.
package fcm

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/comecomepay/comecomepay/internal/notify"
)

// messagingScope is the OAuth2 scope of FCM sends.
const messagingScope = "https://www.googleapis.com/auth/firebase.messaging"

// Credentials are the fields of a service-account key file we use.
type Credentials struct {
	ProjectID   string `json:"project_id"`
	ClientEmail string `json:"client_email"`
	PrivateKey  string `json:"private_key"`
	TokenURI    string `json:"token_uri"`
}

// LoadCredentials reads a service-account JSON key file.
func LoadCredentials(path string) (Credentials, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Credentials{}, fmt.Errorf("fcm credentials: %w", err)
	}
	var c Credentials
	if err := json.Unmarshal(b, &c); err != nil {
		return Credentials{}, fmt.Errorf("fcm credentials: %w", err)
	}
	if c.ProjectID == "" || c.ClientEmail == "" || c.PrivateKey == "" {
		return Credentials{}, errors.New("fcm credentials: project_id, client_email and private_key are required")
	}
	if c.TokenURI == "" {
		c.TokenURI = "https://oauth2.googleapis.com/token"
	}
	return c, nil
}

// Client sends pushes through FCM.
type Client struct {
	creds    Credentials
	key      *rsa.PrivateKey
	endpoint string // https://fcm.googleapis.com, or a test server
	http     *http.Client
	now      func() time.Time

	mu      sync.Mutex
	token   string
	expires time.Time
}

// New returns a client; endpoint "" means the public FCM endpoint.
func New(creds Credentials, endpoint string, httpClient *http.Client, now func() time.Time) (*Client, error) {
	key, err := jwt.ParseRSAPrivateKeyFromPEM([]byte(creds.PrivateKey))
	if err != nil {
		return nil, fmt.Errorf("fcm credentials: private_key: %w", err)
	}
	if endpoint == "" {
		endpoint = "https://fcm.googleapis.com"
	}
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 15 * time.Second}
	}
	return &Client{creds: creds, key: key, endpoint: strings.TrimRight(endpoint, "/"), http: httpClient, now: now}, nil
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
		token, err := c.accessToken(ctx)
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint+"/v1/projects/"+url.PathEscape(c.creds.ProjectID)+"/messages:send",
			bytes.NewReader(body))
		if err != nil {
			return fmt.Errorf("fcm send: %w", err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
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
			c.forgetToken() // expired or revoked early: fetch a new one once
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

func (c *Client) forgetToken() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.token = ""
}

// accessToken returns a cached OAuth2 token or exchanges a fresh signed
// assertion for one.
func (c *Client) accessToken(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if c.token != "" && now.Before(c.expires.Add(-time.Minute)) {
		return c.token, nil
	}
	assertion, err := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
		"iss": c.creds.ClientEmail, "scope": messagingScope, "aud": c.creds.TokenURI,
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	}).SignedString(c.key)
	if err != nil {
		return "", fmt.Errorf("fcm token: sign assertion: %w", err)
	}
	form := url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"}, "assertion": {assertion}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.creds.TokenURI, strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("fcm token: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := c.http.Do(req)
	if err != nil {
		return "", fmt.Errorf("fcm token: %w", err)
	}
	defer res.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("fcm token: HTTP %d", res.StatusCode)
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, 64<<10)).Decode(&tok); err != nil || tok.AccessToken == "" {
		return "", errors.New("fcm token: no access token in the answer")
	}
	c.token, c.expires = tok.AccessToken, now.Add(time.Duration(tok.ExpiresIn)*time.Second)
	return c.token, nil
}
