package physical

import "testing"

// TestAdvancesOnlyForward is the forward-only rule of issuer updates.
func TestAdvancesOnlyForward(t *testing.T) {
	t.Parallel()
	s := &Service{}
	cases := []struct {
		current, target Status
		want            bool
	}{
		{StatusInit, StatusProcessing, false},
		{StatusEmailVerified, StatusFailed, false},
		{StatusFeePaid, StatusProcessing, true},
		{StatusFeePaid, StatusFailed, true},
		{StatusSubmitted, StatusProcessing, true},
		{StatusSubmitted, StatusSubmitted, false},
		{StatusSubmitted, StatusDelivered, true},
		{StatusProcessing, StatusProcessing, false},
		{StatusProcessing, StatusShipped, true},
		{StatusShipped, StatusProcessing, false},
		{StatusShipped, StatusFailed, true},
		{StatusShipped, StatusDelivered, true},
		{StatusDelivered, StatusFailed, false},
		{StatusDelivered, StatusShipped, false},
		{StatusFailed, StatusShipped, false},
		{StatusFailed, StatusFailed, false},
		{StatusCancelled, StatusProcessing, false},
		{StatusSubmitted, "BOGUS", false},
		{StatusSubmitted, StatusFeePaid, false},
	}
	for _, tc := range cases {
		if got := s.advances(tc.current, tc.target); got != tc.want {
			t.Errorf("advances(%s → %s) = %v, want %v", tc.current, tc.target, got, tc.want)
		}
	}
}

func TestNextStatus(t *testing.T) {
	t.Parallel()
	for cur, want := range map[Status]Status{StatusSubmitted: StatusProcessing, StatusProcessing: StatusShipped,
		StatusShipped: StatusDelivered, StatusFeePaid: StatusProcessing} {
		if got := nextStatus(cur); got != want {
			t.Errorf("nextStatus(%s) = %s, want %s", cur, got, want)
		}
	}
}
