//go:build windows || plan9

package audit

import "github.com/swiftclaw/swiftclaw/internal/errs"

func newSyslogSink(SyslogConfig) (sink, error) {
	return nil, errs.New(errs.Input, "audit: syslog is not available on this platform").
		WithHint("remove audit.syslog from .swiftclaw/config.yaml")
}
