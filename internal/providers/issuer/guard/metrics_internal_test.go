package guard

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"testing"

	"github.com/comecomepay/comecomepay/internal/platform/providermetrics"
)

func TestOutcomeTellsAnswersFromOutages(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		err  error
		want providermetrics.Outcome
	}{
		{nil, providermetrics.OK},
		{errors.New("card balance too low"), providermetrics.Refused},
		{&ServerError{Operation: "recharge", Status: 503}, providermetrics.Failed},
		{&ServerError{Operation: "recharge", Status: 429}, providermetrics.Throttled},
		{fmt.Errorf("issue: %w", context.DeadlineExceeded), providermetrics.TimedOut},
		{fmt.Errorf("dial: %w", syscall.ECONNREFUSED), providermetrics.Broken},
	} {
		if got := outcome(c.err); got != c.want {
			t.Errorf("outcome(%v) = %s, want %s", c.err, got, c.want)
		}
	}
}
