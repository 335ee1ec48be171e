package account

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/comecomepay/comecomepay/internal/platform/secret"
)

// Transaction passwords are six digits, so no slow hash can protect them:
// an attacker who can compute the check offline tries all 10^6 codes in
// seconds whatever argon2id costs, while every payment the service makes
// pays that cost once (it bounded the transfer rate). What protects the
// code is the attempt limit online (txPasswordTries, then a lock) and a
// server-side key offline: the stored value is HMAC-SHA256 under a key
// derived from COMECOMEPAY_DATA_KEY (never stored in the database) over the
// user id and the code. A database dump without the key gives no way to test
// a guess; the user id binds the value to its row, so equal codes do not
// show as equal values and a value copied to another row does not verify.
// With the database and the key, the codes fall either way.
// docs/decisions.md ("Transaction passwords: keyed hash") has the reasoning.
//
// Older rows hold argon2id PHC strings: they still verify, and the next
// correct entry rewrites them in the keyed form (txPasswordNeedsUpgrade).
// Login passwords stay on argon2id: they are chosen by people and long
// enough for a slow hash to matter.

// txPasswordScheme prefixes the keyed form, telling it from a PHC string.
const txPasswordScheme = "$ccp-hmac-sha256$"

// txPasswordHasher derives the transaction passwords' key from the data
// key's hasher (the service's Deps.Hasher).
func txPasswordHasher(dataKey *secret.Hasher) *secret.Hasher {
	return secret.NewHasher([]byte(dataKey.Sum("derive", "tx-password")))
}

// hashTxPassword returns the stored form of a user's transaction password.
func (s *Service) hashTxPassword(userID int64, password string) string {
	return keyedTxPassword(s.txPasswords, userID, password)
}

func keyedTxPassword(h *secret.Hasher, userID int64, password string) string {
	return txPasswordScheme + h.Sum("tx-password", strconv.FormatInt(userID, 10), password)
}

// TxPasswordHash is the stored form of userID's transaction password under
// the data key's hasher, for tools that load users in bulk (the benchmark
// seeder); the service itself keeps the derived hasher.
func TxPasswordHash(dataKey *secret.Hasher, userID int64, password string) string {
	return keyedTxPassword(txPasswordHasher(dataKey), userID, password)
}

// txPasswordMatches compares password with the stored value in constant
// time (keyed form) or through argon2id (older rows).
func (s *Service) txPasswordMatches(userID int64, stored, password string) bool {
	if strings.HasPrefix(stored, txPasswordScheme) {
		return secret.Equal(stored, s.hashTxPassword(userID, password))
	}
	return verifySecret(stored, password)
}

// txPasswordNeedsUpgrade reports a stored value in the older argon2id form.
func txPasswordNeedsUpgrade(stored string) bool {
	return !strings.HasPrefix(stored, txPasswordScheme)
}

// upgradeTxPasswordHash stores the keyed form after a correct entry checked
// against the older one, and clears the failures that entry ends. The
// profile's updated_at stays: the user changed nothing.
func (s *Service) upgradeTxPasswordHash(ctx context.Context, tx *sql.Tx, userID int64, hash string) error {
	res, err := tx.ExecContext(ctx, `UPDATE users SET tx_password_hash = $1, tx_password_failures = 0, tx_password_locked_until = 0
		WHERE id = $2`, hash, userID)
	return affectedOne(res, err)
}
