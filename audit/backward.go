package audit

import (
	"bytes"
	"fmt"
	"io"
)

// MaxLineBytes bounds one log line; longer lines are reported, not buffered.
const MaxLineBytes = 1 << 20

// BackwardScanner yields the lines of a file from last to first, reading it backwards in
// fixed-size blocks, so memory stays at one block plus one line however large the file
// is. Lines are returned without their newline. A file's final newline does not start an
// empty line; a final line without a newline is returned like any other (see
// [BackwardScanner.Partial]).
type BackwardScanner struct {
	r       io.ReaderAt
	pos     int64  // file offset where buf starts
	buf     []byte // unreturned bytes [pos, pos+len(buf))
	store   []byte
	block   int
	line    []byte
	start   int64
	done    bool
	err     error
	partial bool
}

// NewBackwardScanner scans the first size bytes of r. blockSize <= 0 means 64 KiB.
func NewBackwardScanner(r io.ReaderAt, size int64, blockSize int) *BackwardScanner {
	if blockSize <= 0 {
		blockSize = 64 << 10
	}
	s := &BackwardScanner{r: r, pos: size, block: blockSize, done: size == 0}
	if size > 0 {
		var last [1]byte
		if _, err := r.ReadAt(last[:], size-1); err != nil {
			s.err, s.done = err, true
		} else if last[0] == '\n' {
			s.pos = size - 1
		} else {
			s.partial = true
		}
	}
	return s
}

// Partial reports whether the file does not end with a newline: its last line was cut
// short (a torn write or a truncation).
func (s *BackwardScanner) Partial() bool { return s.partial }

// Scan advances to the previous line. It returns false at the start of the file or on
// an error.
func (s *BackwardScanner) Scan() bool {
	if s.done {
		return false
	}
	for {
		if i := bytes.LastIndexByte(s.buf, '\n'); i >= 0 {
			s.line, s.start = s.buf[i+1:], s.pos+int64(i)+1
			s.buf = s.buf[:i]
			return true
		}
		if len(s.buf) > MaxLineBytes {
			s.err, s.done = fmt.Errorf("line ending at offset %d is longer than %d bytes", s.pos+int64(len(s.buf)), MaxLineBytes), true
			return false
		}
		if s.pos == 0 {
			s.line, s.start, s.buf, s.done = s.buf, 0, nil, true
			return true
		}
		n := int64(s.block)
		if n > s.pos {
			n = s.pos
		}
		need := int(n) + len(s.buf)
		if cap(s.store) < need {
			grown := make([]byte, need, need+s.block)
			copy(grown[n:], s.buf)
			s.store = grown
		} else {
			s.store = s.store[:need]
			copy(s.store[n:], s.buf) // buf is a prefix of store; copy handles the overlap
		}
		if _, err := s.r.ReadAt(s.store[:n], s.pos-n); err != nil {
			s.err, s.done = err, true
			return false
		}
		s.pos -= n
		s.buf = s.store
	}
}

// Line returns the current line. Its bytes are valid until the next call to Scan.
func (s *BackwardScanner) Line() []byte { return s.line }

// Offset returns the file offset where the current line starts.
func (s *BackwardScanner) Offset() int64 { return s.start }

// Err returns the first read error, if any.
func (s *BackwardScanner) Err() error { return s.err }
