package text_test

import (
	"testing"
	"unicode/utf8"

	"github.com/comecomepay/comecomepay/internal/platform/text"
)

func TestTruncate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly", 7, "exactly"},
		{"abcdef", 3, "abc"},
		{"发卡机构拒绝", 4, "发"}, // 3-byte characters: never half of one
		{"发卡机构拒绝", 6, "发卡"},
		{"رفض", 3, "ر"},
		{"", 0, ""},
		{"发", 2, ""},
	}
	for _, c := range cases {
		got := text.Truncate(c.in, c.n)
		if got != c.want || !utf8.ValidString(got) || len(got) > c.n {
			t.Errorf("Truncate(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}
