package console

import (
	"context"
	"errors"
	"net/http"

	"github.com/comecomepay/comecomepay/internal/apperr"
)

// The end every list page's action shares, written once so that the cards,
// configuration and money pages cannot drift apart in how they answer a
// refusal: the same page again at 400 with the API's message, as the admin
// API would refuse the same request.

// showPage renders a list page at status, msg being the refusal it shows
// ("" for none).
type showPage func(w http.ResponseWriter, r *http.Request, v *visit, status int, msg string) error

// errAnswered is what an action's call returns when it has answered the
// request itself (a confirmation page): act then writes nothing more.
var errAnswered = errors.New("console: the action answered itself")

// act runs call, an action's checks and back-office write, with the
// operator as the audited actor. A refusal (an apperr, the form's or the
// back office's) re-renders page at 400 with the API's message; another
// error is the handler's failure; otherwise the answer is a redirect to
// the address call returns (post/redirect/get).
func (c *Console) act(w http.ResponseWriter, r *http.Request, v *visit, page showPage,
	call func(ctx context.Context) (to string, err error)) error {
	to, err := call(c.actorContext(r, v))
	if errors.Is(err, errAnswered) {
		return nil
	}
	if e, ok := apperr.As(err); ok {
		return page(w, r, v, http.StatusBadRequest, apiMessage(v.Lang, e))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}
