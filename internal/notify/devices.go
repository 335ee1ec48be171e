// Package notify reaches users outside the app: the push devices they
// register (API.md §2.2). Notifications and the push provider port build on
// these records.
package notify

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/store"
)

// maxDevices is how many devices a user keeps; registering one more evicts
// the least recently seen.
const maxDevices = 10

// ErrDeviceNotFound is answered when a token is not the caller's.
var ErrDeviceNotFound = apperr.New("DEVICE_NOT_FOUND")

// Device is a registered push target.
type Device struct {
	ID         int64
	UserID     int64
	DeviceID   string
	Platform   string
	AppVersion string
	Enabled    bool
	LastSeenAt time.Time
}

// Devices manages push devices.
type Devices struct {
	db  *store.DB
	now func() time.Time
}

// NewDevices returns a Devices.
func NewDevices(db *store.DB, now func() time.Time) *Devices { return &Devices{db: db, now: now} }

// Register records a device for userID, idempotently per FCM token: a token
// seen before is updated, and moved to the caller if another user had it.
func (d *Devices) Register(ctx context.Context, userID int64, token, deviceID, platform, appVersion string) (Device, error) {
	var dev Device
	err := d.db.InTx(ctx, func(tx *sql.Tx) error {
		now := store.At(d.now())
		if _, err := tx.ExecContext(ctx, `INSERT INTO push_devices (user_id, fcm_token, device_id, platform, app_version, enabled, last_seen_at, created_at)
			VALUES ($1, $2, $3, $4, $5, TRUE, $6, $6)
			ON CONFLICT (fcm_token) DO UPDATE SET user_id = excluded.user_id, device_id = excluded.device_id, platform = excluded.platform,
				app_version = excluded.app_version, enabled = TRUE, last_seen_at = excluded.last_seen_at`,
			userID, token, deviceID, platform, appVersion, now); err != nil {
			return fmt.Errorf("store device: %w", err)
		}
		// Keep the newest maxDevices of this user.
		if _, err := tx.ExecContext(ctx, `DELETE FROM push_devices WHERE user_id = $1 AND id NOT IN (
			SELECT id FROM push_devices WHERE user_id = $1 ORDER BY last_seen_at DESC, id DESC LIMIT $2)`, userID, maxDevices); err != nil {
			return fmt.Errorf("evict old devices: %w", err)
		}
		if err := tx.QueryRowContext(ctx, `SELECT id, user_id, device_id, platform, app_version, enabled, last_seen_at FROM push_devices
			WHERE fcm_token = $1`, token).Scan(&dev.ID, &dev.UserID, &dev.DeviceID, &dev.Platform, &dev.AppVersion, &dev.Enabled,
			store.TimeInto(&dev.LastSeenAt)); err != nil {
			return fmt.Errorf("read device: %w", err)
		}
		return nil
	})
	if err != nil {
		return Device{}, fmt.Errorf("notify: register device for user %d: %w", userID, err)
	}
	return dev, nil
}

// Unregister removes the caller's device with token.
func (d *Devices) Unregister(ctx context.Context, userID int64, token string) error {
	res, err := d.db.SQL.ExecContext(ctx, `DELETE FROM push_devices WHERE user_id = $1 AND fcm_token = $2`, userID, token)
	if err != nil {
		return fmt.Errorf("notify: unregister device of user %d: %w", userID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrDeviceNotFound.WithDetails("This token is not registered to you")
	}
	return nil
}

// RemoveAll deletes every device of a user (account deactivation).
func (d *Devices) RemoveAll(ctx context.Context, q store.Querier, userID int64) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM push_devices WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("notify: remove devices of user %d: %w", userID, err)
	}
	return nil
}

// Tokens returns the push tokens of a user's devices (the sandbox outbox
// filters recorded pushes by them).
func (d *Devices) Tokens(ctx context.Context, q store.Querier, userID int64) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT fcm_token FROM push_devices WHERE user_id = $1`, userID)
	if err != nil {
		return nil, fmt.Errorf("notify: device tokens: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, fmt.Errorf("notify: device tokens: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("notify: device tokens: %w", err)
	}
	return out, nil
}
