package deps_test

import (
	"testing"

	"github.com/comecomepay/comecomepay/internal/platform/deps"
)

func TestCheckNamesEveryMissingDependency(t *testing.T) {
	t.Parallel()
	if err := deps.Check("card", deps.Wired{"DB": true, "Jobs": true}); err != nil {
		t.Fatalf("all wired: %v", err)
	}
	err := deps.Check("card", deps.Wired{"DB": true, "Swaps": false, "Jobs": false})
	if err == nil || err.Error() != "card: missing dependencies: Jobs, Swaps" {
		t.Fatalf("err = %v, want both missing ports named in order", err)
	}
}
