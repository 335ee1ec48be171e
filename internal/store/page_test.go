package store_test

import (
	"slices"
	"testing"

	"github.com/comecomepay/comecomepay/internal/store"
)

func TestCondsWhere(t *testing.T) {
	t.Parallel()
	var none store.Conds
	none.Eq("user_id", int64(0), false)
	if where, args := none.Where(); where != "" || args != nil {
		t.Errorf("no filter: %q %v, want no WHERE", where, args)
	}
	var c store.Conds
	c.Eq("user_id", int64(7), true)
	c.Eq("status", "", false)
	c.Add("at >= ?", 5)
	where, args := c.Where()
	if want := " WHERE user_id = $1 AND at >= $2"; where != want {
		t.Errorf("where = %q, want %q", where, want)
	}
	if !slices.Equal(args, []any{int64(7), 5}) {
		t.Errorf("args = %v", args)
	}
}
