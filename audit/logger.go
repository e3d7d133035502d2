package audit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// Options carries what a [Logger] needs from its environment. Everything is injectable so
// tests touch nothing outside their temp dirs and never sleep.
type Options struct {
	RepoID   string // names the default log file; see [RepoID]
	RepoRoot string // the log is refused inside this directory
	// Getenv reads XDG_STATE_HOME, HOME and the HTTP sink's key; nil means os.Getenv.
	Getenv func(string) string
	// Stdout and Stderr receive the stdout/stderr sinks' lines; nil means os.Stdout/os.Stderr.
	Stdout, Stderr io.Writer
	HTTPClient     *http.Client
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Host is recorded in entries that do not name one; empty means os.Hostname.
	Host string
	// Sleep waits between HTTP retries; nil means a real timer.
	Sleep func(ctx context.Context, d time.Duration) error
}

func (o Options) getenv() func(string) string {
	if o.Getenv == nil {
		return os.Getenv
	}
	return o.Getenv
}

// Logger appends entries to the configured sinks. It is safe for concurrent use, and
// several processes may append to the same file at once.
type Logger struct {
	failClosed bool
	file       *fileSink
	sinks      []sink
	host       string
	now        func() time.Time
}

// Open validates cfg and prepares the sinks. Nothing is opened, dialled or created until
// the first Append, so commands that log nothing cannot fail on the log.
func Open(cfg Config, o Options) (*Logger, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	l := &Logger{failClosed: cfg.FailClosed, host: o.Host, now: func() time.Time { return now().UTC() }}
	if l.host == "" {
		l.host, _ = os.Hostname()
	}
	if !cfg.File.Disabled {
		p, err := FilePath(cfg.File, o.RepoID, o.RepoRoot, o.getenv())
		if err != nil {
			return nil, err
		}
		every := 1
		if cfg.File.Sync == SyncBatch {
			every = cfg.File.SyncEvery
			if every == 0 {
				every = 64
			}
		}
		l.file = &fileSink{path: p, syncEvery: every, now: l.now}
	}
	if cfg.Stdout {
		l.sinks = append(l.sinks, &streamSink{label: "stdout", w: orDefault(o.Stdout, os.Stdout)})
	}
	if cfg.Stderr {
		l.sinks = append(l.sinks, &streamSink{label: "stderr", w: orDefault(o.Stderr, os.Stderr)})
	}
	if cfg.Syslog != nil {
		s, err := newSyslogSink(*cfg.Syslog)
		if err != nil {
			return nil, err
		}
		l.sinks = append(l.sinks, s)
	}
	if cfg.HTTP != nil {
		l.sinks = append(l.sinks, newHTTPSink(*cfg.HTTP, o))
	}
	return l, nil
}

func orDefault(w io.Writer, def io.Writer) io.Writer {
	if w == nil {
		return def
	}
	return w
}

// Path returns the file sink's path, or "" when the file sink is disabled.
func (l *Logger) Path() string {
	if l.file == nil {
		return ""
	}
	return l.file.path
}

// FailClosed reports whether Append fails when an entry cannot be written.
func (l *Logger) FailClosed() bool { return l.failClosed }

// SinkError is one sink's failure to take an entry.
type SinkError struct {
	Sink string
	Err  error
}

// Warning reports sinks that failed while the logger fails open. The caller prints it
// and carries on.
type Warning struct {
	Failed []SinkError
}

// String describes the failure in one line.
func (w *Warning) String() string {
	parts := make([]string, len(w.Failed))
	for i, f := range w.Failed {
		parts[i] = fmt.Sprintf("%s: %v", f.Sink, f.Err)
	}
	return "audit entry not recorded by " + strings.Join(parts, "; ") +
		" (continuing because audit.fail_closed is false)"
}

// Append records e: it redacts e.Command, fills Host and Time, seals the entry into the
// file's chain (an unchained entry, seq 0, when the file sink is disabled) and sends the
// line to every other sink. It returns the sealed entry.
//
// When a sink fails: with fail_closed, Append returns an errs.Permission error and the
// caller must refuse the action; otherwise it returns a *Warning to print and a nil error.
func (l *Logger) Append(ctx context.Context, e Entry) (Entry, *Warning, error) {
	e.Command = RedactArgs(e.Command)
	if e.Host == "" {
		e.Host = l.host
	}
	var failed []SinkError
	var line []byte
	if l.file != nil {
		sealed, sl, err := l.file.append(e)
		if err != nil {
			failed = append(failed, SinkError{Sink: "file " + l.file.path, Err: err})
		} else {
			e, line = sealed, sl
		}
	}
	if line == nil {
		e.Time, e.Seq, e.Prev = l.now(), 0, ""
		var err error
		if e, line, err = seal(e); err != nil {
			return Entry{}, nil, errs.Wrap(errs.Internal, err, "encode audit entry")
		}
	}
	for _, s := range l.sinks {
		if err := s.emit(ctx, line, l.failClosed); err != nil {
			failed = append(failed, SinkError{Sink: s.name(), Err: err})
		}
	}
	if len(failed) == 0 {
		return e, nil, nil
	}
	w, err := l.failure(failed)
	return e, w, err
}

func (l *Logger) failure(failed []SinkError) (*Warning, error) {
	w := &Warning{Failed: failed}
	if !l.failClosed {
		return w, nil
	}
	causes := make([]error, len(failed))
	for i, f := range failed {
		causes[i] = fmt.Errorf("%s: %w", f.Sink, f.Err)
	}
	return nil, errs.Wrap(errs.Permission, errors.Join(causes...),
		"the audit entry could not be written, and audit.fail_closed is true").
		WithHint("make the audit sink writable (audit: in .swiftclaw/config.yaml) and retry; with fail_closed, swiftclaw refuses reads it cannot record")
}

// Flush fsyncs a batched file sink and sends pending HTTP batches. Failures follow the
// same fail_closed rule as Append.
func (l *Logger) Flush(ctx context.Context) (*Warning, error) {
	var failed []SinkError
	if l.file != nil {
		if err := l.file.flush(); err != nil {
			failed = append(failed, SinkError{Sink: "file " + l.file.path, Err: err})
		}
	}
	for _, s := range l.sinks {
		if err := s.flush(ctx); err != nil {
			failed = append(failed, SinkError{Sink: s.name(), Err: err})
		}
	}
	if len(failed) == 0 {
		return nil, nil
	}
	return l.failure(failed)
}

// Close flushes and releases every sink.
func (l *Logger) Close() (*Warning, error) {
	w, err := l.Flush(context.Background())
	if l.file != nil {
		l.file.close()
	}
	for _, s := range l.sinks {
		s.close()
	}
	return w, err
}
