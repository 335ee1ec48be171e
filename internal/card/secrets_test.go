package card

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// TestRevealedIsRedacted: a secret printed or logged by mistake shows
// nothing; only Value yields it.
func TestRevealedIsRedacted(t *testing.T) {
	t.Parallel()
	sec := CardSecrets{PAN: "4242421234561149", CVV: "871", Expiry: "09/30"}
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	log.Info("oops", "pan", sec.PAN, "cvv", sec.CVV, "pin", Revealed("918273"))
	out := fmt.Sprintf("%v %+v %#v %s %v", sec, sec, sec, sec.PAN, Revealed("918273")) + buf.String()
	for _, v := range []string{"4242421234561149", "871", "918273"} {
		if strings.Contains(out, v) {
			t.Fatalf("%q leaked: %s", v, out)
		}
	}
	if sec.PAN.Value() != "4242421234561149" {
		t.Fatal("Value does not return the secret")
	}
}

func TestPINRules(t *testing.T) {
	t.Parallel()
	for pin, ok := range map[string]bool{"1234": true, "123456": true, "0000": true, "123": false, "1234567": false,
		" 1234": false, "12a4": false, "١٢٣٤": false, "": false} {
		if ValidPIN(pin) != ok {
			t.Errorf("ValidPIN(%q) = %v", pin, !ok)
		}
	}
	for s, ok := range map[string]bool{"card_pin_query": true, "card_pin_activate": true, "login": false, "": false, "CARD_PIN_QUERY": false} {
		if _, got := ParsePINPurpose(s); got != ok {
			t.Errorf("ParsePINPurpose(%q) = %v", s, got)
		}
	}
}
