package jsonx_test

import (
	"encoding/json"
	"testing"

	"github.com/comecomepay/comecomepay/internal/platform/jsonx"
)

func TestText(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{`"25000000"`: "25000000", `25000000`: "25000000", `" 6 "`: "6",
		`null`: "", `1e3`: "1e3", `"北京"`: "北京", `-0.5`: "-0.5"} {
		var got jsonx.Text
		if err := json.Unmarshal([]byte(in), &got); err != nil || string(got) != want {
			t.Errorf("%s → %q %v, want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{`true`, `{}`, `[1]`, `"unterminated`} {
		var got jsonx.Text
		if err := json.Unmarshal([]byte(bad), &got); err == nil {
			t.Errorf("%s accepted as %q", bad, got)
		}
	}
}
