package account

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/comecomepay/comecomepay/internal/apperr"
)

// ProfileInput is a raw profile update: nil fields are absent.
type ProfileInput struct {
	FirstName, LastName, DateOfBirth, AccountType  *string
	Address, City, State, PostCode, AreaCode, Bill *string
}

// ParseProfileUpdate validates a profile update (API.md §2.2 PUT /user/profile).
func (s *Service) ParseProfileUpdate(in ProfileInput) (ProfileUpdate, error) {
	f := apperr.Fields{}
	var out ProfileUpdate
	text := func(name string, v *string, max int) *string {
		if v == nil {
			return nil
		}
		t := strings.TrimSpace(*v)
		if len([]rune(t)) > max {
			f.Add(name, "must be at most "+strconv.Itoa(max)+" characters")
			return nil
		}
		return &t
	}
	out.FirstName = text("first_name", in.FirstName, 50)
	out.LastName = text("last_name", in.LastName, 50)
	out.Address = text("address", in.Address, 200)
	out.City = text("city", in.City, 64)
	out.State = text("state", in.State, 64)
	out.PostCode = text("post_code", in.PostCode, 16)
	if v := text("date_of_birth", in.DateOfBirth, 10); v != nil && *v != "" {
		if d, ok := ParseDateOfBirth(*v, s.Now()); ok {
			out.DateOfBirth = &d
		} else {
			f.Add("date_of_birth", "must be a past date YYYY-MM-DD")
		}
	} else {
		out.DateOfBirth = v
	}
	if v := text("account_type", in.AccountType, 16); v != nil {
		if *v != "personal" && *v != "business" {
			f.Add("account_type", "must be personal or business")
		} else {
			out.AccountType = v
		}
	}
	if v := text("area_code", in.AreaCode, 5); v != nil {
		code := strings.TrimPrefix(*v, "+")
		if code != "" && (len(code) > 4 || !IsOTPFormat(code, len(code))) {
			f.Add("area_code", "must be 1–4 digits")
		} else {
			out.AreaCode = &code
		}
	}
	if v := text("bill_country_code", in.Bill, 2); v != nil {
		c := strings.ToUpper(*v)
		if c != "" && (len(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z') {
			f.Add("bill_country_code", "must be an ISO 3166-1 alpha-2 code")
		} else {
			out.Bill = &c
		}
	}
	return out, f.Err()
}

// UpdateProfile applies a parsed update and returns the new profile.
func (s *Service) UpdateProfile(ctx context.Context, p Principal, upd ProfileUpdate) (Profile, error) {
	var out Profile
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		if err := s.saveProfile(ctx, tx, p.UserID, upd, s.Now()); err != nil {
			return notFound(err, ErrUserNotFound)
		}
		var err error
		out, err = s.profile(ctx, tx, p.UserID)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("account: update profile: %w", err)
	}
	return out, nil
}
