// Package jsonx holds JSON checks the standard decoder does not make.
package jsonx

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode"
)

// DuplicateName returns the first object member name that appears twice in
// the same object, at any depth, compared after unescaping ("am\u006funt" is
// "amount") and as encoding/json matches a name to a struct field: without
// regard to case under Unicode simple folding ("AMOUNT" and "ſign" name the
// fields amount and sign). encoding/json keeps the last of two such names, so a body that
// says "amount" twice would otherwise mean whatever its last copy says while
// a proxy, a log or a signature check may have read the first. Input that is
// not valid JSON reports no duplicate: the decoder that follows rejects it.
func DuplicateName(data []byte) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	// One frame per open object or array; arrays have no name set.
	type frame struct {
		names   map[string]struct{}
		wantKey bool
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if name, ok := tok.(string); ok && top != nil && top.names != nil && top.wantKey {
			key := foldName(name)
			if _, seen := top.names[key]; seen {
				return name, true
			}
			top.names[key] = struct{}{}
			top.wantKey = false
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{names: map[string]struct{}{}, wantKey: true})
			continue
		case json.Delim('['):
			stack = append(stack, &frame{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		// A value (scalar or just-closed container) ends a member.
		if len(stack) == 0 {
			return "", false
		}
		if parent := stack[len(stack)-1]; parent.names != nil {
			parent.wantKey = true
		}
	}
}

// foldName maps every rune to the smallest rune of its simple case-folding
// orbit, so two names are equal after foldName exactly when
// strings.EqualFold says they are (how encoding/json matches field names).
func foldName(name string) string {
	return strings.Map(func(r rune) rune {
		smallest := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			smallest = min(smallest, f)
		}
		return smallest
	}, name)
}
