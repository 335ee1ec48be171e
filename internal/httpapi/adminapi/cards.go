package adminapi

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/comecomepay/comecomepay/internal/card"
	"github.com/comecomepay/comecomepay/internal/httpapi/httpkit"
	"github.com/comecomepay/comecomepay/internal/operator"
)

type cardRowView struct {
	ID              int64       `json:"id"`
	UserID          int64       `json:"user_id"`
	TaskID          int64       `json:"task_id"`
	PublicToken     string      `json:"public_token"`
	CardNo          string      `json:"card_no"`
	Currency        string      `json:"currency"`
	Status          string      `json:"status"`
	LockedByAdmin   bool        `json:"locked_by_admin"`
	StatusUpdatedBy string      `json:"status_updated_by"`
	PendingStatus   string      `json:"pending_status"`
	IsPhysical      bool        `json:"is_physical"`
	KYCID           int64       `json:"kyc_id"`
	Balance         json.Number `json:"balance"`
	FeePaid         json.Number `json:"fee_paid"`
	CreatedAt       time.Time   `json:"created_at"`
	UpdatedAt       time.Time   `json:"updated_at"`
	DeletedAt       *time.Time  `json:"deleted_at"`
}

// viewCard shows a card with its masked number only (the platform never
// holds more).
func viewCard(c card.Card) cardRowView {
	return cardRowView{ID: c.ID, UserID: c.UserID, TaskID: c.TaskID, PublicToken: c.PublicToken, CardNo: c.MaskedPAN,
		Currency: c.Currency, Status: string(c.Status), LockedByAdmin: c.LockedByAdmin, StatusUpdatedBy: c.StatusUpdatedBy,
		PendingStatus: string(c.PendingStatus), IsPhysical: c.IsPhysical, KYCID: c.KYCID, Balance: httpkit.Num(c.Balance, 2),
		FeePaid: httpkit.Num(c.FeePaid, 2), CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, DeletedAt: c.DeletedAt}
}

// listCards: GET /admin/cards?user_id=&status=.
func (a *API) listCards(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	pageNo, size, err := httpkit.PageParams(r, "page_size")
	if err != nil {
		return err
	}
	q := httpkit.NewFields()
	f := card.CardFilter{UserID: queryID(r, q, "user_id"),
		Status: card.Status(queryEnum(r, q, "status", string(card.StatusNormal), string(card.StatusFrozen), string(card.StatusCancelled)))}
	if err := q.Err(); err != nil {
		return err
	}
	list, total, err := a.Office.Cards(r.Context(), f, size, (pageNo-1)*size)
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, pageOf(list, viewCard, pageNo, size, total))
}

// lockCard: POST /admin/cards/{id}/lock {reason}.
func (a *API) lockCard(w http.ResponseWriter, r *http.Request, p operator.Principal) error {
	return a.cardAction(card.OperatorLock)(w, r, p)
}

// unlockCard: POST /admin/cards/{id}/unlock {reason?}.
func (a *API) unlockCard(w http.ResponseWriter, r *http.Request, p operator.Principal) error {
	return a.cardAction(card.OperatorUnlock)(w, r, p)
}

// cancelCard: POST /admin/cards/{id}/cancel {reason}.
func (a *API) cancelCard(w http.ResponseWriter, r *http.Request, p operator.Principal) error {
	return a.cardAction(card.OperatorCancel)(w, r, p)
}

func (a *API) cardAction(action card.OperatorAction) Handler {
	return func(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
		id, err := pathID(r, "id", card.ErrCardNotFound.WithDetails("No such card"))
		if err != nil {
			return err
		}
		reason, err := readReason(r)
		if err != nil {
			return err
		}
		c, err := a.Office.SetCardStatus(r.Context(), id, action, reason)
		if err != nil {
			return err
		}
		return ok(w, r, http.StatusOK, viewCard(c))
	}
}

type cardTaskView struct {
	ID           int64      `json:"id"`
	UserID       int64      `json:"user_id"`
	KYCID        int64      `json:"kyc_id"`
	Physical     bool       `json:"physical"`
	Status       string     `json:"status"`
	FailReason   string     `json:"fail_reason"`
	FeePaymentID int64      `json:"fee_payment_id"`
	CardID       int64      `json:"card_id"`
	Retries      int        `json:"retries"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	CompletedAt  *time.Time `json:"completed_at"`
	LastPolledAt *time.Time `json:"last_polled_at"`
	RetriedAt    *time.Time `json:"retried_at"`
}

func viewCardTask(t card.Task) cardTaskView {
	return cardTaskView{ID: t.ID, UserID: t.UserID, KYCID: t.KYCID, Physical: t.Physical, Status: string(t.Status), FailReason: t.FailReason,
		FeePaymentID: t.FeePaymentID, CardID: t.CardID, Retries: t.Retries, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt,
		CompletedAt: t.CompletedAt, LastPolledAt: t.LastPolledAt, RetriedAt: t.RetriedAt}
}

// listCardTasks: GET /admin/card-tasks?status=&user_id=.
func (a *API) listCardTasks(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	pageNo, size, err := httpkit.PageParams(r, "page_size")
	if err != nil {
		return err
	}
	q := httpkit.NewFields()
	f := card.TaskFilter{UserID: queryID(r, q, "user_id"), Status: card.TaskStatus(queryEnum(r, q, "status", string(card.TaskPending),
		string(card.TaskProcessing), string(card.TaskCompleted), string(card.TaskFailed)))}
	if err := q.Err(); err != nil {
		return err
	}
	list, total, err := a.Office.CardTasks(r.Context(), f, size, (pageNo-1)*size)
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, pageOf(list, viewCardTask, pageNo, size, total))
}

// retryCardTask: POST /admin/card-tasks/{id}/retry {reason?}.
func (a *API) retryCardTask(w http.ResponseWriter, r *http.Request, _ operator.Principal) error {
	id, err := pathID(r, "id", card.ErrTaskNotFound.WithDetails("No such card application"))
	if err != nil {
		return err
	}
	reason, err := readReason(r)
	if err != nil {
		return err
	}
	t, err := a.Office.RetryCardTask(r.Context(), id, reason)
	if err != nil {
		return err
	}
	return ok(w, r, http.StatusOK, viewCardTask(t))
}
