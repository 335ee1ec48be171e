package config

import (
	"fmt"
	"strings"
)

// Log formats (COMECOMEPAY_LOG_FORMAT); the empty format of a Config built
// in code means LogAuto.
const (
	LogAuto = "auto"
	LogJSON = "json"
	LogText = "text"
)

// SMTP transport security (COMECOMEPAY_SMTP_TLS); the empty value of a
// Config built in code means SMTPStartTLS.
const (
	SMTPStartTLS    = "starttls"
	SMTPImplicitTLS = "implicit"
	SMTPNoTLS       = "none"
)

// smtpTLS reads COMECOMEPAY_SMTP_TLS; the older COMECOMEPAY_SMTP_STARTTLS
// still turns TLS off when the new setting is unset, so a deployment that
// relied on it keeps sending.
func smtpTLS(get func(name, def string) string, boolean func(name string, def bool) bool) string {
	startTLS := boolean("COMECOMEPAY_SMTP_STARTTLS", true) // read even when overridden, so a bad value is still reported
	if mode := strings.ToLower(get("COMECOMEPAY_SMTP_TLS", "")); mode != "" {
		return mode
	}
	if !startTLS {
		return SMTPNoTLS
	}
	return SMTPStartTLS
}

func (c Config) validateLogAndMail() []error {
	var errs []error
	switch c.LogFormat {
	case "", LogAuto, LogJSON, LogText:
	default:
		errs = append(errs, fmt.Errorf("COMECOMEPAY_LOG_FORMAT: %q is not auto, json or text", c.LogFormat))
	}
	switch c.SMTP.TLS {
	case "", SMTPStartTLS, SMTPImplicitTLS, SMTPNoTLS:
	default:
		errs = append(errs, fmt.Errorf("COMECOMEPAY_SMTP_TLS: %q is not starttls, implicit or none", c.SMTP.TLS))
	}
	return errs
}
