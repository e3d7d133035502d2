package audit

import (
	"context"
	"io"
	"sync"
)

// sink receives sealed lines (without newline). The file sink is separate: it seals.
type sink interface {
	name() string
	emit(ctx context.Context, line []byte, failClosed bool) error
	flush(ctx context.Context) error
	close() error
}

// streamSink writes one JSON line per entry to stdout or stderr (CI log collection).
type streamSink struct {
	label string
	mu    sync.Mutex
	w     io.Writer
}

func (s *streamSink) name() string { return s.label }

func (s *streamSink) emit(_ context.Context, line []byte, _ bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	buf := make([]byte, 0, len(line)+1)
	buf = append(append(buf, line...), '\n')
	_, err := s.w.Write(buf)
	return err
}

func (s *streamSink) flush(context.Context) error { return nil }
func (s *streamSink) close() error                { return nil }
