package backoffice

import (
	"github.com/comecomepay/comecomepay/internal/approval"
	"github.com/comecomepay/comecomepay/internal/content"
	"github.com/comecomepay/comecomepay/internal/coupon"
	"github.com/comecomepay/comecomepay/internal/notification"
	"github.com/comecomepay/comecomepay/internal/platform/deps"
	"github.com/comecomepay/comecomepay/internal/webhook"
)

// ContentDeps serve announcements, app versions, site content, the partner link, coupons, notifications and the webhook inbox.
type ContentDeps struct {
	Content       *content.Service
	Coupons       *coupon.Service
	Notifications *notification.Store
	Inbox         *webhook.Inbox
	// Jobs queues a coupon's assign-to-everyone run in the request's
	// transaction.
	CouponJobs coupon.Inserter
}

func (d ContentDeps) wired() deps.Wired {
	return deps.Wired{"Content": d.Content != nil, "Coupons": d.Coupons != nil, "Notifications": d.Notifications != nil,
		"Inbox": d.Inbox != nil, "CouponJobs": d.CouponJobs != nil}
}

// contentExecutors are the four-eyes actions of this group: none. Coupons
// discount a card fee (never more than the fee) and move no money out of
// the ledger; notifications and content move none at all.
func (s *Service) contentExecutors() map[approval.Kind]approval.Executor {
	return map[approval.Kind]approval.Executor{}
}
