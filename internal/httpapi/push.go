package httpapi

import (
	"net/http"
	"unicode/utf8"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
)

// registerPushDevice serves POST /push/devices (user_id in the body is
// ignored: the device belongs to the token's user).
func (s *Server) registerPushDevice(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	var b struct {
		Token      *string `json:"fcm_token"`
		DeviceID   *string `json:"device_id"`
		Platform   *string `json:"platform"`
		AppVersion *string `json:"app_version"`
	}
	if err := httpkit.Decode(r, &b); err != nil {
		return err
	}
	f := httpkit.NewFields()
	token, deviceID, platform := f.Required("fcm_token", b.Token), f.Required("device_id", b.DeviceID), f.Required("platform", b.Platform)
	version := httpkit.Optional(b.AppVersion)
	if utf8.RuneCountInString(token) > 4096 {
		f.Add("fcm_token", "must be at most 4096 characters")
	}
	if utf8.RuneCountInString(deviceID) > 128 {
		f.Add("device_id", "must be at most 128 characters")
	}
	if platform != "" && platform != "android" && platform != "ios" && platform != "web" {
		f.Add("platform", "must be android, ios or web")
	}
	if utf8.RuneCountInString(version) > 32 {
		f.Add("app_version", "must be at most 32 characters")
	}
	if err := f.Err(); err != nil {
		return err
	}
	dev, err := s.Devices.Register(r.Context(), p.UserID, token, deviceID, platform, version)
	if err != nil {
		return err
	}
	type deviceJSON struct {
		ID         int64  `json:"id"`
		DeviceID   string `json:"device_id"`
		Platform   string `json:"platform"`
		AppVersion string `json:"app_version"`
		Enabled    bool   `json:"enabled"`
		LastSeenAt string `json:"last_seen_at"`
	}
	httpkit.WriteJSON(w, http.StatusOK, struct {
		httpkit.EnvelopeA
		Device deviceJSON `json:"device"`
	}{httpkit.OKA(r, "Device registered"), deviceJSON{dev.ID, dev.DeviceID, dev.Platform, dev.AppVersion, dev.Enabled, rfc3339(dev.LastSeenAt)}})
	return nil
}

// unregisterPushDevice serves DELETE /push/devices (token in a JSON body or
// in ?fcm_token=).
func (s *Server) unregisterPushDevice(w http.ResponseWriter, r *http.Request, p account.Principal) error {
	var b struct {
		Token *string `json:"fcm_token"`
	}
	if err := httpkit.Decode(r, &b); err != nil {
		return err
	}
	token := httpkit.Optional(b.Token)
	if token == "" {
		token = r.URL.Query().Get("fcm_token")
	}
	f := httpkit.NewFields()
	f.Required("fcm_token", &token)
	if err := f.Err(); err != nil {
		return err
	}
	if err := s.Devices.Unregister(r.Context(), p.UserID, token); err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, httpkit.OKA(r, "Push device unregistered"))
	return nil
}
