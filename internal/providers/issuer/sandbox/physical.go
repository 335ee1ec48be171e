package sandbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/comecomepay/comecomepay/internal/physical"
	"github.com/comecomepay/comecomepay/internal/platform/secret"
	"github.com/comecomepay/comecomepay/internal/store"
)

// ConvertToPhysical implements physical.Issuer: it accepts the order of a
// card it issued and answers with a request id. A repeated reference
// returns the first request id, so a retried or recovered order is never
// submitted twice. FailNext("convert_physical", n) makes calls fail.
func (i *Issuer) ConvertToPhysical(ctx context.Context, req physical.ConvertRequest) (string, error) {
	if i.injectedFailure("convert_physical") {
		return "", errors.New("sandbox issuer: injected convert_physical failure")
	}
	var ext string
	err := i.db.SQL.QueryRowContext(ctx, `SELECT external_req_id FROM sim_issuer_physical WHERE reference = $1`, req.Reference).Scan(&ext)
	if err == nil && ext == voided {
		return "", errors.New("sandbox issuer: the order reference was voided")
	}
	if err == nil {
		return ext, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("sandbox issuer: convert_physical %s: %w", req.Reference, err)
	}
	var n int
	if err := i.db.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM sim_issuer_cards WHERE public_token = $1`, req.PublicToken).Scan(&n); err != nil {
		return "", fmt.Errorf("sandbox issuer: convert_physical %s: %w", req.Reference, err)
	}
	if n == 0 {
		return "", errors.New("sandbox issuer: unknown card")
	}
	ext = "phy_" + secret.Hex(12)
	if _, err := i.db.SQL.ExecContext(ctx, `INSERT INTO sim_issuer_physical (reference, public_token, external_req_id, created_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (reference) DO NOTHING`, req.Reference, req.PublicToken, ext, store.At(i.now())); err != nil {
		return "", fmt.Errorf("sandbox issuer: convert_physical %s: %w", req.Reference, err)
	}
	if err := i.db.SQL.QueryRowContext(ctx, `SELECT external_req_id FROM sim_issuer_physical WHERE reference = $1`, req.Reference).
		Scan(&ext); err != nil {
		return "", fmt.Errorf("sandbox issuer: convert_physical %s: %w", req.Reference, err)
	}
	if i.injectedFailure("convert_physical_lost_reply") {
		return "", errors.New("sandbox issuer: convert_physical reply lost")
	}
	return ext, nil
}

// VoidConversion implements physical.Issuer.
func (i *Issuer) VoidConversion(ctx context.Context, reference string) (bool, string, error) {
	if i.injectedFailure("void") {
		return false, "", errors.New("sandbox issuer: injected void failure")
	}
	if _, err := i.db.SQL.ExecContext(ctx, `INSERT INTO sim_issuer_physical (reference, public_token, external_req_id, created_at)
		VALUES ($1, '', $2, $3) ON CONFLICT (reference) DO NOTHING`, reference, voided, store.At(i.now())); err != nil {
		return false, "", fmt.Errorf("sandbox issuer: void conversion %s: %w", reference, err)
	}
	var ext string
	if err := i.db.SQL.QueryRowContext(ctx, `SELECT external_req_id FROM sim_issuer_physical WHERE reference = $1`, reference).Scan(&ext); err != nil {
		return false, "", fmt.Errorf("sandbox issuer: void conversion %s: %w", reference, err)
	}
	if ext == voided {
		return false, "", nil
	}
	return true, ext, nil
}
