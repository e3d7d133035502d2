//go:build !windows && !plan9

package audit

import (
	"context"
	"log/syslog"
	"strings"
	"sync"
)

// syslogSink sends each line as one syslog message at severity info. It dials lazily so
// commands that log nothing never touch syslog.
type syslogSink struct {
	cfg SyslogConfig
	mu  sync.Mutex
	w   *syslog.Writer
}

func newSyslogSink(cfg SyslogConfig) (sink, error) { return &syslogSink{cfg: cfg}, nil }

func (s *syslogSink) name() string { return "syslog" }

func (s *syslogSink) emit(_ context.Context, line []byte, _ bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.w == nil {
		fac := "auth"
		if s.cfg.Facility != "" {
			fac = strings.ToLower(s.cfg.Facility)
		}
		tag := s.cfg.Tag
		if tag == "" {
			tag = "swiftclaw"
		}
		w, err := syslog.Dial(s.cfg.Network, s.cfg.Address, syslog.Priority(facilities[fac]<<3)|syslog.LOG_INFO, tag)
		if err != nil {
			return err
		}
		s.w = w
	}
	return s.w.Info(string(line))
}

func (s *syslogSink) flush(context.Context) error { return nil }

func (s *syslogSink) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.w == nil {
		return nil
	}
	return s.w.Close()
}
