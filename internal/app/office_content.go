package app

import "github.com/comecomepay/comecomepay/internal/backoffice"

func (w wiring) officeContent() backoffice.ContentDeps {
	return backoffice.ContentDeps{Content: w.Content, Coupons: w.Coupons, Notifications: w.Notifications, Inbox: w.Inbox,
		CouponJobs: w.Jobs}
}
