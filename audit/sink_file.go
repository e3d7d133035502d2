package audit

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/swiftclaw/swiftclaw/internal/filelock"
)

// fileSink appends to the log and owns the chain. Each append takes an flock on the log,
// finds the last entry (from its cache when the file has not grown since this process
// last wrote, else by reading the tail), seals the entry, writes it with one write(2)
// on an O_APPEND descriptor, and fsyncs per entry or per batch.
type fileSink struct {
	path      string
	syncEvery int
	now       func() time.Time

	mu       sync.Mutex
	f        *os.File
	known    bool // cache below matches the file when its size equals size
	size     int64
	chain    Chain
	unsynced int
}

func (s *fileSink) open() error {
	if s.f != nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(s.path, os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		if err == nil {
			err = fmt.Errorf("not a regular file")
		}
		return err
	}
	s.f = f
	return nil
}

// append seals e as the next entry of the log and writes it. The time is taken while
// the lock is held, so the file's order is time order.
func (s *fileSink) append(e Entry) (Entry, []byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.open(); err != nil {
		return Entry{}, nil, err
	}
	if err := filelock.Lock(s.f); err != nil {
		return Entry{}, nil, fmt.Errorf("lock: %w", err)
	}
	defer filelock.Unlock(s.f)
	fi, err := s.f.Stat()
	if err != nil {
		return Entry{}, nil, err
	}
	size := fi.Size()
	if !s.known || size != s.size {
		c, partial, err := lastEntry(s.f, size)
		if err != nil {
			return Entry{}, nil, err
		}
		if partial {
			// A torn line from a crash or a truncation: end it so the new entry starts on
			// its own line. Verify still reports the torn line.
			if _, err := s.f.Write([]byte{'\n'}); err != nil {
				return Entry{}, nil, err
			}
			size++
		}
		s.chain = c
	}
	e.Time = s.now()
	next := s.chain
	sealed, line, err := next.Seal(e)
	if err != nil {
		return Entry{}, nil, err
	}
	buf := make([]byte, 0, len(line)+1)
	buf = append(append(buf, line...), '\n')
	if _, err := s.f.Write(buf); err != nil {
		s.known = false
		return Entry{}, nil, err
	}
	s.chain, s.size, s.known = next, size+int64(len(buf)), true
	s.unsynced++
	if s.unsynced >= s.syncEvery {
		if err := s.f.Sync(); err != nil {
			return Entry{}, nil, fmt.Errorf("fsync: %w", err)
		}
		s.unsynced = 0
	}
	return sealed, line, nil
}

// lastEntry finds the chain head: the seq and hash of the last line that parses as a
// sealed entry. Lines after it that do not parse are left for Verify to report.
func lastEntry(f *os.File, size int64) (c Chain, partial bool, err error) {
	s := NewBackwardScanner(f, size, 4096)
	partial = s.Partial()
	first := true
	for s.Scan() {
		if first && partial {
			first = false
			continue
		}
		first = false
		var h struct {
			Seq  uint64 `json:"seq"`
			Hash string `json:"hash"`
		}
		if json.Unmarshal(s.Line(), &h) == nil && h.Seq > 0 && len(h.Hash) == 64 {
			return Chain{Seq: h.Seq, Hash: h.Hash}, partial, nil
		}
	}
	return Chain{}, partial, s.Err()
}

func (s *fileSink) flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil || s.unsynced == 0 {
		return nil
	}
	s.unsynced = 0
	return s.f.Sync()
}

func (s *fileSink) close() error {
	err := s.flush()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f != nil {
		if cerr := s.f.Close(); err == nil {
			err = cerr
		}
		s.f = nil
	}
	return err
}
