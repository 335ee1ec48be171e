package webhooksig_test

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/comecomepay/comecomepay/internal/providers/webhooksig"
)

const kycVectorSecret = "wh_test_secret_9f2c4b8e1a7d"

// The known-answer vector of ../shared/PROVIDERS.md §2: an already canonical
// body, so X-Signature and X-Signature-V2 agree.
const kycVectorBody = `{"application_id":"11111111-2222-3333-4444-555555555555","created_at":1774969994,"environment":"live","event_id":"9c0c8b8a-1111-4222-9333-444444444444","metadata":{"wp_user_id":42},"session_id":"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee","status":"Declined","timestamp":1774970000,"vendor_data":"wp-42","webhook_type":"status.updated","workflow_id":"22222222-3333-4444-5555-666666666666","workflow_version":4}`

// Our own vector: unsorted keys, spaces, \u-escaped "é" and "北京", escaped
// "/", whole and fractional floats and a tab, so raw and canonical differ.
// Both signatures were cross-checked with Python (json.dumps(sort_keys=True,
// separators=(',',':'), ensure_ascii=False) after whole floats became ints,
// then hmac/hashlib).
const kycNonASCIIBody = `{"webhook_type": "status.updated", "status": "Declined", "session_id": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "timestamp": 1774970000, "vendor_data": "812", "event_id": "9c0c8b8a-1111-4222-9333-555555555555", "decision": {"expected_details": {"first_name": "Ren\u00e9", "city": "\u5317\u4eac"}, "face_match_score": 97.0, "age": 31.5, "tiny": 1.5e-05, "portrait": "https:\/\/example.com\/p.jpg", "note": "tab\there"}}`

const kycNonASCIICanonical = `{"decision":{"age":31.5,"expected_details":{"city":"北京","first_name":"René"},"face_match_score":97,"note":"tab\there","portrait":"https://example.com/p.jpg","tiny":1.5e-05},"event_id":"9c0c8b8a-1111-4222-9333-555555555555","session_id":"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee","status":"Declined","timestamp":1774970000,"vendor_data":"812","webhook_type":"status.updated"}`

func TestKYCKnownAnswer(t *testing.T) {
	h, err := webhooksig.SignKYC(kycVectorSecret, []byte(kycVectorBody))
	if err != nil {
		t.Fatal(err)
	}
	const sig = "1b132d6284727cc34cb259add34355e547fe103c65475a8d6286462edf909b63"
	if h.Signature != sig || h.SignatureV2 != sig || h.Timestamp != "1774970000" ||
		h.SignatureSimple != "ea157dba351b4c0f93fdaacd85059d494fd7696b3993c7a6707c2593d0fb4c74" {
		t.Fatalf("headers %+v", h)
	}
}

func TestKYCNonASCIIVector(t *testing.T) {
	canonical, err := webhooksig.CanonicalJSON([]byte(kycNonASCIIBody))
	if err != nil || string(canonical) != kycNonASCIICanonical {
		t.Fatalf("canonical %s (%v)", canonical, err)
	}
	h, err := webhooksig.SignKYC(kycVectorSecret, []byte(kycNonASCIIBody))
	if err != nil {
		t.Fatal(err)
	}
	if h.Signature != "80239896d47d24eacca96c6e1290dc89c4fc6b622308310f9c4ac39845835c0d" ||
		h.SignatureV2 != "2c546800e7838a546a13de99b838545590a6dff592349f62046ed6bc37253d0a" {
		t.Fatalf("headers %+v", h)
	}
}

func TestCanonicalNumbers(t *testing.T) {
	for in, want := range map[string]string{
		`[1.0, -0.0, 1e2, 1E+2, 2.50, 0.0001, 0.00001, 123456789.125, 1e22, 12345678901234567890, -7, 1e-7]`: `[1,0,100,100,2.5,0.0001,1e-05,123456789.125,10000000000000000000000,12345678901234567890,-7,1e-07]`,
		`{"b":"<&>\u2028","a":"\u0001\u007f"}`: "{\"a\":\"\\u0001\u007f\",\"b\":\"<&>\u2028\"}",
	} {
		got, err := webhooksig.CanonicalJSON([]byte(in))
		if err != nil || string(got) != want {
			t.Errorf("%s → %s (%v), want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{`{"a":1} {}`, `{"a":`, `{"a":1e400}`} {
		if _, err := webhooksig.CanonicalJSON([]byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestVerifyKYC(t *testing.T) {
	now := time.Unix(1774970000, 0)
	body := []byte(kycNonASCIIBody)
	good, _ := webhooksig.SignKYC(kycVectorSecret, body)
	rotated, _ := webhooksig.SignKYC("previous-secret", body)
	const current, previous = kycVectorSecret, "previous-secret"
	withSig := func(raw, v2, simple string) webhooksig.KYCHeaders {
		return webhooksig.KYCHeaders{Timestamp: good.Timestamp, Signature: raw, SignatureV2: v2, SignatureSimple: simple}
	}
	for _, tc := range []struct {
		name string
		h    webhooksig.KYCHeaders
		body []byte
		now  time.Time
		keys []string
		want error
	}{
		{"raw", withSig(good.Signature, "", ""), body, now, []string{current}, nil},
		{"raw, upper-case hex", withSig("80239896D47D24EACCA96C6E1290DC89C4FC6B622308310F9C4AC39845835C0D", "", ""), body, now, []string{current}, nil},
		{"V2 when raw fails", withSig("00", good.SignatureV2, ""), body, now, []string{current}, nil},
		{"V2 after re-encoding", withSig(good.Signature, good.SignatureV2, ""), []byte(kycNonASCIICanonical), now, []string{current}, nil},
		{"Simple alone", withSig("", "", good.SignatureSimple), body, now, []string{current}, webhooksig.ErrKYCSignature},
		{"none", withSig("", "", ""), body, now, []string{current}, webhooksig.ErrKYCSignature},
		{"stale", good, body, now.Add(301 * time.Second), []string{current}, webhooksig.ErrKYCStale},
		{"future", good, body, now.Add(-301 * time.Second), []string{current}, webhooksig.ErrKYCStale},
		{"edge of the window", good, body, now.Add(300 * time.Second), []string{current}, nil},
		{"header ≠ body timestamp", webhooksig.KYCHeaders{Timestamp: strconv.Itoa(1774970001), Signature: good.Signature}, body, now,
			[]string{current}, webhooksig.ErrKYCTimestampMismatch},
		{"header written another way", webhooksig.KYCHeaders{Timestamp: "0" + good.Timestamp, Signature: good.Signature}, body, now,
			[]string{current}, webhooksig.ErrKYCTimestampMismatch},
		{"no timestamp header", webhooksig.KYCHeaders{Signature: good.Signature}, body, now, []string{current},
			webhooksig.ErrKYCTimestampMismatch},
		{"rotated: previous key", rotated, body, now, []string{current, previous}, nil},
		{"rotation over", rotated, body, now, []string{current, ""}, webhooksig.ErrKYCSignature},
		{"tampered body", good, []byte(`{"timestamp":1774970000,"session_id":"x","status":"Approved"}`), now, []string{current},
			webhooksig.ErrKYCSignature},
		{"body without timestamp", good, []byte(`{"session_id":"x"}`), now, []string{current}, webhooksig.ErrKYCBody},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := webhooksig.VerifyKYC(tc.h, tc.body, tc.now, tc.keys...); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}
