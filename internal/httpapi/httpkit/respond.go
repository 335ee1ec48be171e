// Package httpkit is the request and response kit every HTTP handler shares:
// strict JSON decoding, field parsing, paging, and the success envelopes of
// API.md §1.5. It knows nothing of routes or domains.
package httpkit

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"

	"github.com/comecomepay/comecomepay/internal/i18n"
)

// WriteJSON writes v as the JSON body of a response with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	WriteRaw(w, status, MarshalJSON(v))
}

// WriteRaw writes an already encoded JSON body.
func WriteRaw(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// MarshalJSON encodes v without HTML escaping; a value that cannot be
// encoded becomes the generic internal error body.
func MarshalJSON(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return []byte(`{"error":"Internal server error","code":"INTERNAL_ERROR","details":"","message":"Internal server error"}` + "\n")
	}
	return buf.Bytes()
}

// EnvelopeA is the head of every family-A success body; endpoint bodies embed
// it so their own fields sit at the top level.
type EnvelopeA struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

// OKA is the family-A head with message in the answer's language.
func OKA(r *http.Request, message string) EnvelopeA {
	return EnvelopeA{Status: "success", Message: i18n.Text(Lang(r), message)}
}

// EnvelopeB is the wrapped success body.
type EnvelopeB struct {
	EnvelopeA
	Data any `json:"data"`
}

// OKB is a family-B success body.
func OKB(r *http.Request, message string, data any) EnvelopeB {
	return EnvelopeB{OKA(r, message), data}
}

// EnvelopeC is the issuer-style success body of API.md §1.5, used only by
// the card PIN, physical-upgrade and card-trade endpoints.
type EnvelopeC struct {
	Code      int    `json:"code"`
	Errstr    string `json:"errstr"`
	RequestID string `json:"request_id"`
	Message   string `json:"message"`
	Data      any    `json:"data"`
}

// OKC is a family-C success body.
func OKC(r *http.Request, message string, data any) EnvelopeC {
	return EnvelopeC{Code: http.StatusOK, Errstr: "SUCCESS", RequestID: RequestID(r.Context()),
		Message: i18n.Text(Lang(r), message), Data: data}
}

type requestIDKey struct{}

// WithRequestID names the request in ctx (the X-Request-Id of the answer).
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID is the id WithRequestID gave the request, "" when none.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// answerLang is the language a handler chose for its answer (the content
// endpoints' ?lang=), which an error it returns must be written in too.
type answerLang struct {
	lang i18n.Lang
	set  bool
}

type answerLangKey struct{}

// WithAnswerLanguage gives r room for AnswerIn; the route adapter calls it
// once, so the error it writes sees the handler's choice.
func WithAnswerLanguage(r *http.Request) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), answerLangKey{}, &answerLang{}))
}

// AnswerIn makes lang the language of every text of the answer to r,
// errors included, over Accept-Language.
func AnswerIn(r *http.Request, lang i18n.Lang) {
	if a, ok := r.Context().Value(answerLangKey{}).(*answerLang); ok {
		a.lang, a.set = lang, true
	}
}

// Lang is the language of the answer to r: AnswerIn's, else Accept-Language.
func Lang(r *http.Request) i18n.Lang {
	if a, ok := r.Context().Value(answerLangKey{}).(*answerLang); ok && a.set {
		return a.lang
	}
	return i18n.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
}
