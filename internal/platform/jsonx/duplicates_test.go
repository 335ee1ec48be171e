package jsonx_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/comecomepay/comecomepay/internal/platform/jsonx"
)

func TestDuplicateName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, body, dup string
	}{
		{"flat", `{"amount":"1","amount":"50"}`, "amount"},
		{"escaped equal to plain", `{"amount":"1","am\u006funt":"50"}`, "amount"},
		{"escaped both", `{"\u0061":1,"\u0061":2}`, "a"},
		{"nested object", `{"a":{"x":1,"y":{"k":1,"k":2}}}`, "k"},
		{"array of objects", `{"items":[{"id":1},{"id":2,"id":3}]}`, "id"},
		{"after a nested value", `{"a":{"b":1},"c":[1,2],"a":3}`, "a"},
		{"top-level array", `[{"q":1,"q":1}]`, "q"},
		{"empty name twice", `{"":1,"":2}`, ""},
		// encoding/json matches field names without regard to case, so
		// these reach one struct field and the last would win.
		{"other case", `{"amount":"1","AMOUNT":"999"}`, "AMOUNT"},
		{"long s folds to s", `{"sign":"1","ſign":"2"}`, "ſign"},
		{"kelvin sign folds to k", `{"kind":"a","Kind":"b"}`, "Kind"},
	} {
		got, found := jsonx.DuplicateName([]byte(tc.body))
		if !found || got != tc.dup {
			t.Errorf("%s: DuplicateName(%s) = %q, %v; want %q", tc.name, tc.body, got, found, tc.dup)
		}
	}
	for _, body := range []string{
		`{}`, `[]`, `"x"`, `1`, `null`, ``, `{"a":{},"b":{}}`,
		`{"a":{"a":{"a":1}}}`,             // same name at different depths
		`{"items":[{"id":1},{"id":2}]}`,   // same name in sibling objects
		`{"a":[1,{"b":2}],"b":[{"a":3}]}`, // names reused across levels
		`{"amount":"1",`,                  // invalid: left to the decoder
		`{"x":1}{"x":2}`,                  // trailing data: left to the decoder
	} {
		if got, found := jsonx.DuplicateName([]byte(body)); found {
			t.Errorf("DuplicateName(%s) = %q, want none", body, got)
		}
	}
}

// FuzzDuplicateName checks the detector against an independent count: in
// valid JSON every ':' outside a string separates one member, so a body
// without duplicates decodes into maps holding exactly that many members,
// and a body with one loses at least one — or keeps two names that
// strings.EqualFold calls equal (one struct field for encoding/json).
func FuzzDuplicateName(f *testing.F) {
	for _, s := range []string{`{"amount":"1","amount":"50"}`, `{"a":[{"b":1},{"b":2}]}`, `{"\u0061":1,"a":2}`,
		`[1,{"x":{}}]`, `{"a:b":"c:d"}`, `{"\"":1,"\\":2}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		name, found := jsonx.DuplicateName(data)
		var v any
		if json.Unmarshal(data, &v) != nil {
			return
		}
		lost := separators(data) != kept(v) || foldsTogether(v)
		if lost != found {
			t.Fatalf("DuplicateName(%q) = %q, %v; members lost by decoding: %v", data, name, found, lost)
		}
	})
}

// separators counts the ':' outside strings.
func separators(data []byte) int {
	n, inString, escaped := 0, false, false
	for _, c := range data {
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case !inString && c == ':':
			n++
		}
	}
	return n
}

// foldsTogether reports two names of one decoded object that are equal
// without regard to case.
func foldsTogether(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		names := make([]string, 0, len(x))
		for k, e := range x {
			for _, n := range names {
				if strings.EqualFold(n, k) {
					return true
				}
			}
			names = append(names, k)
			if foldsTogether(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if foldsTogether(e) {
				return true
			}
		}
	}
	return false
}

// kept counts the members of every object in a decoded value.
func kept(v any) int {
	switch x := v.(type) {
	case map[string]any:
		n := len(x)
		for _, e := range x {
			n += kept(e)
		}
		return n
	case []any:
		n := 0
		for _, e := range x {
			n += kept(e)
		}
		return n
	}
	return 0
}
