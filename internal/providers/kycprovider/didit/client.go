package didit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/comecomepay/comecomepay/internal/kyc"
)

// DefaultBaseURL is Didit's API.
const DefaultBaseURL = "https://verification.didit.me"

// DefaultTimeout bounds one call when Config.Timeout is 0.
const DefaultTimeout = 15 * time.Second

// defaultRetryAfter is the wait after a 429 that gave no usable
// Retry-After: Didit's limits are per minute.
const defaultRetryAfter = time.Minute

// Config are the adapter's settings.
type Config struct {
	BaseURL     string // "" = DefaultBaseURL
	APIKey      string // x-api-key
	WorkflowID  string // the verification workflow (UUID)
	CallbackURL string // where Didit sends the user's browser at the end
	Timeout     time.Duration
}

// Client implements kyc.Provider against Didit v3.
type Client struct {
	cfg  Config
	base *url.URL
	http *http.Client

	mu           sync.Mutex
	blockedUntil time.Time // after a 429, until its Retry-After passed
}

// New validates cfg and returns a client using hc for its calls.
func New(cfg Config, hc *http.Client) (*Client, error) {
	if hc == nil {
		return nil, errors.New("didit: an http client is required")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	base, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	switch {
	case err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "":
		return nil, errors.New("didit: BaseURL must be an absolute http(s) URL")
	case strings.TrimSpace(cfg.APIKey) == "":
		return nil, errors.New("didit: APIKey is required")
	case uuid.Validate(cfg.WorkflowID) != nil:
		return nil, errors.New("didit: WorkflowID must be a UUID")
	case cfg.Timeout < 0:
		return nil, errors.New("didit: Timeout must not be negative")
	}
	if cb, err := url.Parse(cfg.CallbackURL); err != nil || (cb.Scheme != "https" && cb.Scheme != "http") || cb.Host == "" {
		return nil, errors.New("didit: CallbackURL must be an absolute http(s) URL")
	}
	return &Client{cfg: cfg, base: base, http: hc}, nil
}

type contactDetails struct {
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
}

type expectedDetails struct {
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
	Country   string `json:"country,omitempty"`
	Address   string `json:"address,omitempty"`
}

type createRequest struct {
	WorkflowID      string           `json:"workflow_id"`
	VendorData      string           `json:"vendor_data"`
	Callback        string           `json:"callback,omitempty"`
	Language        string           `json:"language,omitempty"`
	ContactDetails  *contactDetails  `json:"contact_details,omitempty"`
	ExpectedDetails *expectedDetails `json:"expected_details,omitempty"`
}

type createResponse struct {
	SessionID string `json:"session_id"`
	URL       string `json:"url"`
	Status    string `json:"status"`
}

// CreateSession implements kyc.Provider. Didit hands back an unfinished
// session with the same vendor_data instead of opening a second one, so a
// retry after a lost answer costs nothing.
func (c *Client) CreateSession(ctx context.Context, reference int64, a kyc.Applicant) (kyc.Session, error) {
	req := createRequest{WorkflowID: c.cfg.WorkflowID, VendorData: strconv.FormatInt(reference, 10), Callback: c.cfg.CallbackURL,
		Language: a.Language}
	if a.Email != "" || a.Phone != "" {
		req.ContactDetails = &contactDetails{Email: a.Email, Phone: a.Phone}
	}
	exp := expectedDetails{FirstName: a.FirstName, LastName: a.LastName, Country: alpha3[strings.ToUpper(a.Country)], Address: a.Address}
	if exp != (expectedDetails{}) {
		req.ExpectedDetails = &exp
	}
	body, err := json.Marshal(req)
	if err != nil {
		return kyc.Session{}, fmt.Errorf("didit: create session for record %d: encode: %w", reference, err)
	}
	var res createResponse
	if err := c.do(ctx, "create session", http.MethodPost, "/v3/session/", body, &res); err != nil {
		return kyc.Session{}, fmt.Errorf("didit: create session for record %d: %w", reference, err)
	}
	if res.SessionID == "" || res.URL == "" {
		return kyc.Session{}, fmt.Errorf("didit: create session for record %d: %w",
			reference, &Error{Op: "create session", HTTPStatus: http.StatusCreated, Kind: kyc.ErrProviderDown, detail: "answer without session_id or url"})
	}
	return kyc.Session{ID: res.SessionID, URL: res.URL}, nil
}

// Result implements kyc.Provider: the session's decision, translated.
func (c *Client) Result(ctx context.Context, sessionID string) (kyc.Outcome, error) {
	if sessionID == "" {
		return kyc.Outcome{}, fmt.Errorf("didit: decision: %w", kyc.ErrProviderUnknownSession)
	}
	var d kyc.ProviderDecision
	if err := c.do(ctx, "decision", http.MethodGet, "/v3/session/"+url.PathEscape(sessionID)+"/decision/", nil, &d); err != nil {
		return kyc.Outcome{}, fmt.Errorf("didit: decision of session %s: %w", sessionID, err)
	}
	o, ok := kyc.OutcomeOf(d.Status, &d)
	if !ok {
		return kyc.Outcome{}, fmt.Errorf("didit: decision of session %s: %w", sessionID,
			&Error{Op: "decision", HTTPStatus: http.StatusOK, Kind: kyc.ErrProviderRequest, detail: "unknown status " + strconv.Quote(d.Status)})
	}
	return o, nil
}

// do sends one call and decodes a 2xx answer into out.
func (c *Client) do(ctx context.Context, op, method, path string, body []byte, out any) error {
	if wait := c.waitLeft(); wait > 0 {
		return &Error{Op: op, HTTPStatus: http.StatusTooManyRequests, Kind: kyc.ErrProviderRateLimited, Delay: wait,
			detail: "still inside the provider's Retry-After"}
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base.String()+path, rd)
	if err != nil {
		return &Error{Op: op, Kind: kyc.ErrProviderRequest, cause: err}
	}
	req.Header.Set("x-api-key", c.cfg.APIKey)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.http.Do(req)
	if err != nil {
		return &Error{Op: op, Kind: kyc.ErrProviderDown, cause: withoutURL(err)}
	}
	defer func() { _ = res.Body.Close() }()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return &Error{Op: op, HTTPStatus: res.StatusCode, Kind: kyc.ErrProviderDown, cause: withoutURL(err)}
	}
	switch s := res.StatusCode; {
	case s >= 200 && s < 300:
		if err := json.Unmarshal(raw, out); err != nil {
			// The decoder's message may quote the body.
			return &Error{Op: op, HTTPStatus: s, Kind: kyc.ErrProviderDown, detail: "answer is not the documented JSON"}
		}
		return nil
	case s == http.StatusTooManyRequests:
		delay := retryAfter(res.Header.Get("Retry-After"), time.Now())
		c.block(delay)
		return &Error{Op: op, HTTPStatus: s, Kind: kyc.ErrProviderRateLimited, Delay: delay}
	case s == http.StatusUnauthorized || s == http.StatusForbidden:
		return &Error{Op: op, HTTPStatus: s, Kind: kyc.ErrProviderCredentials}
	case s == http.StatusNotFound:
		return &Error{Op: op, HTTPStatus: s, Kind: kyc.ErrProviderUnknownSession}
	case s >= 500:
		return &Error{Op: op, HTTPStatus: s, Kind: kyc.ErrProviderDown}
	default:
		return &Error{Op: op, HTTPStatus: s, Kind: kyc.ErrProviderRequest}
	}
}

func (c *Client) block(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if until := time.Now().Add(d); until.After(c.blockedUntil) {
		c.blockedUntil = until
	}
}

func (c *Client) waitLeft() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Until(c.blockedUntil)
}

// retryAfter reads a Retry-After value: seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if secs, err := strconv.Atoi(v); err == nil && secs > 0 {
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return defaultRetryAfter
}

// withoutURL drops the request URL from a transport error (it names the
// session) but keeps what went wrong, timeouts included.
func withoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
