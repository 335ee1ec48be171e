package backoffice

import (
	"context"

	"github.com/comecomepay/comecomepay/internal/threeds"
)

// ThreeDSRecords lists 3DS challenges, newest first, without passcodes.
func (s *Service) ThreeDSRecords(ctx context.Context, f threeds.RecordFilter, page, size int) ([]threeds.Record, int, error) {
	return s.ThreeDS.Records(ctx, f, size, (page-1)*size)
}
