package backoffice

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/comecomepay/comecomepay/internal/account"
	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/audit"
	"github.com/comecomepay/comecomepay/internal/coupon"
	"github.com/comecomepay/comecomepay/internal/notification"
	"github.com/comecomepay/comecomepay/internal/store"
)

// Coupons: definitions and their assignment by operators.

// MaxAssignUsers bounds an assignment to listed users, which runs in the
// request; everyone is a job (AssignCouponToAll).
const MaxAssignUsers = 1000

// couponState is a definition as the audit log keeps it (amounts in cents,
// percentages in hundredths of a point, as stored).
type couponState struct {
	Code              string      `json:"code"`
	Name              string      `json:"name"`
	Type              coupon.Kind `json:"type"`
	Value             int64       `json:"value"`
	MinFee            int64       `json:"min_fee_cents"`
	MaxDiscount       int64       `json:"max_discount_cents"`
	AppliesTo         string      `json:"applies_to"`
	UsageLimit        int         `json:"usage_limit"`
	UsageLimitPerUser int         `json:"usage_limit_per_user"`
	ValidFrom         time.Time   `json:"valid_from"`
	ValidUntil        time.Time   `json:"valid_until"`
	Claimable         bool        `json:"claimable"`
	Status            string      `json:"status"`
	AssignedCount     int         `json:"assigned_count"`
}

func couponOf(c coupon.Coupon) couponState {
	return couponState{Code: c.Code, Name: c.Name, Type: c.Type, Value: c.Value, MinFee: int64(c.MinFee), MaxDiscount: int64(c.MaxDiscount),
		AppliesTo: c.AppliesTo, UsageLimit: c.UsageLimit, UsageLimitPerUser: c.UsageLimitPerUser, ValidFrom: c.ValidFrom.UTC(),
		ValidUntil: c.ValidUntil.UTC(), Claimable: c.Claimable, Status: c.Status, AssignedCount: c.AssignedCount}
}

func couponEntry(action string, id int64) audit.Entry {
	return audit.Entry{Action: action, TargetType: "coupon", TargetID: fmt.Sprint(id)}
}

// actorID is the operator on ctx (0 for the CLI).
func actorID(ctx context.Context) int64 {
	a, _ := audit.ActorFrom(ctx)
	return a.ID
}

// ListCoupons lists definitions, newest first, optionally of one status.
func (s *Service) ListCoupons(ctx context.Context, status string, limit, offset int) ([]coupon.Coupon, int, error) {
	return s.ContentDeps.Coupons.Definitions(ctx, status, limit, offset)
}

// CouponRuns is how many assign-to-everyone runs a coupon's detail shows.
const CouponRuns = 5

// Coupon returns a definition with its latest assign-to-everyone runs.
func (s *Service) Coupon(ctx context.Context, id int64) (coupon.Coupon, []coupon.AssignRun, error) {
	c, err := s.ContentDeps.Coupons.Get(ctx, id)
	if err != nil {
		return coupon.Coupon{}, nil, err
	}
	runs, err := s.ContentDeps.Coupons.AssignRuns(ctx, id, CouponRuns)
	return c, runs, err
}

// CouponByCode returns a definition by its code (the command line names
// coupons by code).
func (s *Service) CouponByCode(ctx context.Context, code string) (coupon.Coupon, error) {
	return s.ContentDeps.Coupons.ByCode(ctx, code)
}

// CreateCoupon defines a coupon.
func (s *Service) CreateCoupon(ctx context.Context, c coupon.Coupon) (coupon.Coupon, error) {
	c.CreatedBy = actorID(ctx)
	var out coupon.Coupon
	err := s.auditedTarget(ctx, audit.Entry{Action: "coupon.create", TargetType: "coupon"}, func(tx *sql.Tx) (string, any, any, error) {
		var err error
		out, err = s.ContentDeps.Coupons.CreateTx(ctx, tx, c)
		return fmt.Sprint(out.ID), nil, couponOf(out), err
	})
	return out, err
}

// UpdateCoupon edits a definition in place (code and type stay).
func (s *Service) UpdateCoupon(ctx context.Context, id int64, ch coupon.Change) (coupon.Coupon, error) {
	var out coupon.Coupon
	err := s.audited(ctx, couponEntry("coupon.update", id), func(tx *sql.Tx) (any, any, error) {
		before, after, err := s.ContentDeps.Coupons.UpdateTx(ctx, tx, id, ch)
		out = after
		return couponOf(before), couponOf(after), err
	})
	return out, err
}

// DeleteCoupon deactivates a coupon: users hold it, so it stays on record
// but can no longer be claimed, assigned or used.
func (s *Service) DeleteCoupon(ctx context.Context, id int64) (coupon.Coupon, error) {
	var out coupon.Coupon
	err := s.audited(ctx, couponEntry("coupon.delete", id), func(tx *sql.Tx) (any, any, error) {
		before, after, err := s.ContentDeps.Coupons.DeactivateTx(ctx, tx, id)
		out = after
		return couponOf(before), couponOf(after), err
	})
	return out, err
}

// Assignment is what an operator's assignment to listed users did.
type Assignment struct {
	Coupon   coupon.Coupon
	Assigned []int64 // received the coupon now (and a coupon_assigned notification)
	Skipped  []int64 // held it already, or their account is closed
}

type assignState struct {
	AssignedCount int     `json:"assigned_count"`
	Assigned      []int64 `json:"assigned_user_ids,omitempty"`
	Skipped       []int64 `json:"skipped_user_ids,omitempty"`
}

// AssignCoupon gives a coupon to listed users, in one transaction: every
// user must exist (else USER_NOT_FOUND and nothing is assigned); one who
// holds it already or whose account is closed is skipped, so a retried
// request gives nobody a second copy.
func (s *Service) AssignCoupon(ctx context.Context, id int64, userIDs []int64) (Assignment, error) {
	if len(userIDs) == 0 || len(userIDs) > MaxAssignUsers {
		return Assignment{}, apperr.Validation(map[string]string{"user_ids": fmt.Sprintf("must list 1–%d users", MaxAssignUsers)})
	}
	userIDs = slices.Compact(slices.Sorted(slices.Values(userIDs)))
	var out Assignment
	err := s.audited(ctx, couponEntry("coupon.assign", id), func(tx *sql.Tx) (any, any, error) {
		var open []int64
		out.Skipped = nil
		for _, userID := range userIDs {
			status, err := s.Accounts.AccountStatus(ctx, tx, userID)
			switch {
			case errors.Is(err, store.ErrNotFound):
				return nil, nil, account.ErrUserNotFound.WithDetails(fmt.Sprintf("No user has the id %d", userID))
			case err != nil:
				return nil, nil, err
			case status == account.StatusDeactivated:
				out.Skipped = append(out.Skipped, userID)
			default:
				open = append(open, userID)
			}
		}
		before, after, res, err := s.ContentDeps.Coupons.AssignByOperatorTx(ctx, tx, id, open)
		if err != nil {
			return nil, nil, err
		}
		out.Coupon, out.Assigned, out.Skipped = after, res.Assigned, append(out.Skipped, res.Skipped...)
		return assignState{AssignedCount: before.AssignedCount},
			assignState{AssignedCount: after.AssignedCount, Assigned: out.Assigned, Skipped: out.Skipped}, nil
	})
	return out, err
}

type runState struct {
	RunID  int64            `json:"run_id"`
	Status coupon.RunStatus `json:"status"`
	Total  int              `json:"audience"`
}

// AssignCouponToAll queues a job that gives the coupon to every user whose
// account is not closed (those registered up to now), in batches; the run's
// progress shows on the coupon. The run and its job are made in this
// transaction: both exist, or neither.
func (s *Service) AssignCouponToAll(ctx context.Context, id int64) (coupon.AssignRun, error) {
	var run coupon.AssignRun
	err := s.audited(ctx, couponEntry("coupon.assign_all", id), func(tx *sql.Tx) (any, any, error) {
		total, last, err := s.Accounts.AudienceSize(ctx, tx, notification.Audience{})
		if err != nil {
			return nil, nil, err
		}
		c, r, err := s.ContentDeps.Coupons.StartAssignAllTx(ctx, tx, s.ContentDeps.CouponJobs, id, total, last, actorID(ctx))
		run = r
		return assignState{AssignedCount: c.AssignedCount}, runState{RunID: r.ID, Status: r.Status, Total: r.Total}, err
	})
	return run, err
}
