// Package didit is the KYC provider adapter for Didit v3 (direct
// integration; ../shared/PROVIDERS.md §2, docs/providers-didit.md).
//
// It implements kyc.Provider: CreateSession opens (or, for an unfinished
// session with the same vendor_data, gets back) a hosted session with
// POST /v3/session/, vendor_data being our KYC record id; Result reads
// GET /v3/session/{id}/decision/ and translates it with kyc.OutcomeOf, the
// mapping the webhook path uses too. Decisions normally arrive by webhook
// (POST /webhooks/kyc, verified by webhooksig.VerifyKYC); Result serves the
// kyc.SyncSession job for missed or doubtful ones.
//
// Failures wrap the kyc.ErrProvider* sentinels: a 429 is
// kyc.ErrProviderRateLimited carrying the Retry-After delay (kyc.RetryAfter),
// and until that delay has passed the client answers the same without
// calling Didit; 401/403 are ErrProviderCredentials, 404 on a session
// ErrProviderUnknownSession, other 4xx ErrProviderRequest, 5xx, timeouts
// and network failures ErrProviderDown. Where a user waits (initialise),
// every one of them becomes 502 KYC_PROVIDER_UNAVAILABLE. No error and no
// log line carries the applicant's data or a response body.
//
// # A second adapter: KYC run by the card issuer
//
// The issuer (PokePay) may run KYC itself, wrapping a Didit session in its
// own envelope and reviewing with codes 1–6 (pokepay_status). Such an
// adapter plugs into the same two-method port:
//   - CreateSession calls the issuer's KYC-session endpoint with the record
//     id as its reference and returns the issuer's session id and page URL;
//   - Result reads the issuer's review and returns a kyc.Outcome directly
//     (2 → approved, 3/4/6 → rejected with the issuer's reason, 1/5 →
//     pending), without kyc.OutcomeOf's Didit vocabulary;
//   - its pushes arrive as kyc.review.completed on /webhooks/issuer, which
//     kyc.RecordIssuerReview already applies, and kyc.IssuerReview becomes
//     a no-op because the issuer's review is the provider's decision.
//
// Nothing in the kyc domain names Didit except the /webhooks/kyc body
// (kyc.ProviderEvent), which is the API's documented webhook format.
package didit
