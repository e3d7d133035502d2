package audit

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// LogFile is an audit log opened for reading: a snapshot of its size at open, so entries
// appended meanwhile are not half-read.
type LogFile struct {
	f    *os.File
	size int64
}

// OpenLog opens the log at path for queries and verification. A missing file is an
// empty log.
func OpenLog(path string) (*LogFile, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &LogFile{}, nil
	}
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "open audit log")
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, errs.Wrap(errs.Internal, err, "open audit log")
	}
	return &LogFile{f: f, size: fi.Size()}, nil
}

// ReadAt implements io.ReaderAt.
func (l *LogFile) ReadAt(p []byte, off int64) (int, error) {
	if l.f == nil {
		return 0, io.EOF
	}
	return l.f.ReadAt(p, off)
}

// Size is the log's size when it was opened.
func (l *LogFile) Size() int64 { return l.size }

// Reader returns a reader over the snapshot, for [Verify].
func (l *LogFile) Reader() io.Reader { return io.NewSectionReader(l, 0, l.size) }

// Close closes the file.
func (l *LogFile) Close() error {
	if l.f == nil {
		return nil
	}
	return l.f.Close()
}

// CountReads counts read entries for agent (and secret, when not empty) at or after
// since; see the package-level [CountReads].
func (l *LogFile) CountReads(agent, secret string, since time.Time) (int, error) {
	return CountReads(l, l.size, agent, secret, since)
}

// PathCounter counts reads in the log at its path, opening the log afresh on each call so
// entries appended since are counted. It satisfies alerts.ReadCounter.
type PathCounter string

// CountReads counts read entries; see [CountReads]. A missing log counts zero.
func (p PathCounter) CountReads(agent, secret string, since time.Time) (int, error) {
	l, err := OpenLog(string(p))
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.CountReads(agent, secret, since)
}
