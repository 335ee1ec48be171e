package app

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/kyc"
	"github.com/comecomepay/comecomepay/internal/store"
	"github.com/comecomepay/comecomepay/internal/webhook"
)

// kycReviewEvents applies the issuer's kyc.review.completed events (API.md
// §2.11.3: kyc_ref = our record id, pokepay_status 1–6) to KYC records, for
// an issuer that answers its review asynchronously. A record no longer under
// review is left as it is.
func kycReviewEvents(k *kyc.Service) card.EventHandler {
	return func(ctx context.Context, tx *sql.Tx, ev card.IssuerEvent) (string, error) {
		var d struct {
			KYCRef json.RawMessage `json:"kyc_ref"`
			Status json.Number     `json:"pokepay_status"`
		}
		if err := json.Unmarshal(ev.Data, &d); err != nil {
			return webhook.StateIgnored, nil
		}
		id, err1 := strconv.ParseInt(strings.Trim(string(d.KYCRef), `" `), 10, 64)
		code, err2 := strconv.Atoi(d.Status.String())
		if err1 != nil || err2 != nil || code < 1 || code > 6 {
			return webhook.StateIgnored, nil
		}
		if _, err := k.RecordIssuerReview(ctx, tx, id, code); errors.Is(err, store.ErrNotFound) {
			return webhook.StateUnmatched, nil
		} else if err != nil {
			return "", fmt.Errorf("app: kyc review event: %w", err)
		}
		return webhook.StateProcessed, nil
	}
}
