package webhooksig

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// KYC decisions arrive in Didit v3's webhook format (../shared/PROVIDERS.md
// §2): the body carries its own "timestamp", repeated in X-Timestamp, and
// three hex HMAC-SHA256 signatures with the webhook secret. X-Signature
// covers the raw body; X-Signature-V2 covers the body re-serialised
// canonically, so a delivery whose bytes a proxy re-encoded still verifies;
// X-Signature-Simple covers only "timestamp:session_id:status:webhook_type"
// (not vendor_data, not the decision) and is therefore produced for
// completeness but never accepted.

// Header names of a KYC delivery.
const (
	HeaderKYCTimestamp       = "X-Timestamp"
	HeaderKYCSignature       = "X-Signature"
	HeaderKYCSignatureV2     = "X-Signature-V2"
	HeaderKYCSignatureSimple = "X-Signature-Simple"
)

// KYCHeaders are the signature headers of one KYC delivery.
type KYCHeaders struct {
	Timestamp       string
	Signature       string
	SignatureV2     string
	SignatureSimple string
}

// KYCHeadersFrom reads the headers of a delivery.
func KYCHeadersFrom(h http.Header) KYCHeaders {
	return KYCHeaders{Timestamp: h.Get(HeaderKYCTimestamp), Signature: h.Get(HeaderKYCSignature),
		SignatureV2: h.Get(HeaderKYCSignatureV2), SignatureSimple: h.Get(HeaderKYCSignatureSimple)}
}

// Set writes the headers onto an outgoing request's header.
func (k KYCHeaders) Set(h http.Header) {
	for name, v := range k.Map() {
		h.Set(name, v)
	}
}

// Map is the headers by name.
func (k KYCHeaders) Map() map[string]string {
	return map[string]string{HeaderKYCTimestamp: k.Timestamp, HeaderKYCSignature: k.Signature,
		HeaderKYCSignatureV2: k.SignatureV2, HeaderKYCSignatureSimple: k.SignatureSimple}
}

// Why a KYC delivery was refused; none of them quotes the body.
var (
	ErrKYCBody              = errors.New("webhooksig: kyc body is not a JSON object with an integer timestamp")
	ErrKYCStale             = errors.New("webhooksig: kyc timestamp outside the window")
	ErrKYCTimestampMismatch = errors.New("webhooksig: X-Timestamp differs from the body's timestamp")
	ErrKYCSignature         = errors.New("webhooksig: neither X-Signature nor X-Signature-V2 matches")
)

// kycSigned are the body fields the scheme reads.
type kycSigned struct {
	Timestamp   json.Number `json:"timestamp"`
	SessionID   string      `json:"session_id"`
	Status      string      `json:"status"`
	WebhookType string      `json:"webhook_type"`
}

func readKYCSigned(body []byte) (kycSigned, int64, error) {
	var f kycSigned
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	if err := d.Decode(&f); err != nil {
		return f, 0, ErrKYCBody
	}
	ts, err := strconv.ParseInt(string(f.Timestamp), 10, 64)
	if err != nil {
		return f, 0, ErrKYCBody
	}
	return f, ts, nil
}

// SignKYC signs a delivery body as Didit does. The body must hold the
// integer "timestamp" that X-Timestamp repeats.
func SignKYC(secret string, body []byte) (KYCHeaders, error) {
	f, ts, err := readKYCSigned(body)
	if err != nil {
		return KYCHeaders{}, err
	}
	canonical, err := CanonicalJSON(body)
	if err != nil {
		return KYCHeaders{}, err
	}
	timestamp := strconv.FormatInt(ts, 10)
	simple := timestamp + ":" + f.SessionID + ":" + f.Status + ":" + f.WebhookType
	return KYCHeaders{Timestamp: timestamp, Signature: hmacHex(secret, body), SignatureV2: hmacHex(secret, canonical),
		SignatureSimple: hmacHex(secret, []byte(simple))}, nil
}

// VerifyKYC accepts a delivery whose body timestamp is within Window of now
// and equal to X-Timestamp, and whose X-Signature (raw body) or, failing
// that, X-Signature-V2 (canonical body) matches under one of the keys held
// (current and, while rotating, previous). X-Signature-Simple is never
// enough: it signs neither vendor_data nor the decision.
func VerifyKYC(h KYCHeaders, body []byte, now time.Time, secrets ...string) error {
	_, ts, err := readKYCSigned(body)
	if err != nil {
		return err
	}
	if h.Timestamp != strconv.FormatInt(ts, 10) {
		return ErrKYCTimestampMismatch
	}
	if absDuration(now.Sub(time.Unix(ts, 0))) > Window {
		return ErrKYCStale
	}
	if validHMAC(body, h.Signature, secrets...) {
		return nil
	}
	if canonical, err := CanonicalJSON(body); err == nil && validHMAC(canonical, h.SignatureV2, secrets...) {
		return nil
	}
	return ErrKYCSignature
}

// CanonicalJSON re-serialises a JSON document the way Didit computes
// X-Signature-V2 (Python's json.dumps with sort_keys, separators (",", ":")
// and ensure_ascii off, after whole floats became integers): object keys
// sorted by code point, no whitespace, non-ASCII characters and "/" written
// as they are, integers kept exactly, whole floats written as integers,
// other floats in Python's shortest repr.
func CanonicalJSON(body []byte) ([]byte, error) {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("webhooksig: canonical json: %w", err)
	}
	if _, err := d.Token(); err == nil {
		return nil, errors.New("webhooksig: canonical json: data after the document")
	}
	var b bytes.Buffer
	if err := writeCanonical(&b, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func writeCanonical(b *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case string:
		writePythonString(b, x)
	case json.Number:
		n, err := canonicalNumber(x)
		if err != nil {
			return err
		}
		b.WriteString(n)
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeCanonical(b, e); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys) // UTF-8 byte order is code point order
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writePythonString(b, k)
			b.WriteByte(':')
			if err := writeCanonical(b, x[k]); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	default:
		return fmt.Errorf("webhooksig: canonical json: unexpected %T", v)
	}
	return nil
}

// canonicalNumber writes a JSON number as Python re-serialises it.
func canonicalNumber(n json.Number) (string, error) {
	s := string(n)
	if !strings.ContainsAny(s, ".eE") {
		i, ok := new(big.Int).SetString(s, 10)
		if !ok {
			return "", errors.New("webhooksig: canonical json: bad integer")
		}
		return i.String(), nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return "", errors.New("webhooksig: canonical json: number out of range")
	}
	if f == math.Trunc(f) {
		if f == 0 {
			return "0", nil // int(-0.0) is 0
		}
		return new(big.Float).SetFloat64(f).Text('f', 0), nil
	}
	// Python's repr: the shortest round-tripping digits, in exponent form
	// below 1e-4 (whole numbers from 1e16 up never reach here).
	e := strconv.FormatFloat(f, 'e', -1, 64)
	exp, _ := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:])
	if exp < -4 {
		return e, nil
	}
	return strconv.FormatFloat(f, 'f', -1, 64), nil
}

// writePythonString quotes s like Python's json.dumps(ensure_ascii=False):
// only the quote, the backslash and control characters are escaped.
func writePythonString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 {
				fmt.Fprintf(b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
}
