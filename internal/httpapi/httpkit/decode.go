package httpkit

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/comecomepay/comecomepay/internal/apperr"
	"github.com/comecomepay/comecomepay/internal/platform/jsonx"
	"github.com/comecomepay/comecomepay/internal/platform/text"
)

// MaxBodyBytes is the request body limit of API.md §1.2.
const MaxBodyBytes = 64 << 10

// Decode reads a JSON object body into dst. Unknown fields are ignored, an
// empty body is {}, a member named twice is refused, and every malformed
// input becomes VALIDATION_FAILED (or PAYLOAD_TOO_LARGE) before anything is
// executed.
func Decode(r *http.Request, dst any) error {
	body, err := ReadBody(r)
	if err != nil {
		return err
	}
	return DecodeJSON(body, dst)
}

// ReadBody reads the whole (size-limited) request body.
func ReadBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, apperr.New(apperr.CodePayloadTooLarge).WithDetails("The request body exceeds 64 KiB")
		}
		return nil, apperr.Validation(nil).WithDetails("The request body could not be read")
	}
	return body, nil
}

// DecodeJSON decodes a JSON object body already read.
func DecodeJSON(body []byte, dst any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := UniqueNames(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(dst); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			if typeErr.Field == "" {
				return apperr.Validation(nil).WithDetails("The body must be a JSON object")
			}
			return apperr.Validation(map[string]string{typeErr.Field: "must be a " + jsonKind(typeErr.Type.Kind().String())}).
				WithDetails("A field has the wrong JSON type")
		}
		return apperr.Validation(nil).WithDetails("The body is not valid JSON")
	}
	if dec.More() {
		return apperr.Validation(nil).WithDetails("The body has data after the JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return apperr.Validation(nil).WithDetails("The body has data after the JSON object")
	}
	return nil
}

// UniqueNames refuses a JSON body that names a member twice in one object:
// the decoder would keep the last copy while whatever read the body before
// (a proxy, a log, a signature check, the client's own preview) may have
// seen the first.
func UniqueNames(body []byte) error {
	if name, dup := jsonx.DuplicateName(body); dup {
		return apperr.Validation(map[string]string{text.Truncate(name, 64): "is given more than once"}).
			WithDetails("The body names a member more than once")
	}
	return nil
}

// UniqueFields refuses a form that gives a field twice, for the same reason.
func UniqueFields(form url.Values) error {
	for name, values := range form {
		if len(values) > 1 {
			return apperr.Validation(map[string]string{text.Truncate(name, 64): "is given more than once"}).
				WithDetails("The form gives a field more than once")
		}
	}
	return nil
}

func jsonKind(goKind string) string {
	switch {
	case goKind == "string":
		return "string"
	case goKind == "bool":
		return "boolean"
	case strings.HasPrefix(goKind, "int"), strings.HasPrefix(goKind, "uint"), strings.HasPrefix(goKind, "float"):
		return "number"
	case goKind == "slice":
		return "array"
	default:
		return "object"
	}
}

// Fields helps parse a decoded body: required and optional strings, trimmed
// unless they are secrets that must match exactly.
type Fields struct{ apperr.Fields }

func NewFields() Fields { return Fields{apperr.Fields{}} }

// Required returns the trimmed value of a required field.
func (f Fields) Required(name string, v *string) string {
	if v == nil || strings.TrimSpace(*v) == "" {
		f.Add(name, "is required")
		return ""
	}
	return strings.TrimSpace(*v)
}

// Secret returns a required field untrimmed (passwords, codes).
func (f Fields) Secret(name string, v *string) string {
	if v == nil || *v == "" {
		f.Add(name, "is required")
		return ""
	}
	return *v
}

// Optional returns the trimmed value of an optional field, "" when absent.
func Optional(v *string) string {
	if v == nil {
		return ""
	}
	return strings.TrimSpace(*v)
}
