package audit

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// Problem classifies the first break [Verify] finds.
type Problem string

// Problems Verify reports.
const (
	// Edited: the line's content no longer matches its hash, or it does not link to the
	// line before it.
	Edited Problem = "edited"
	// Dropped: entries are missing before this line (seq jumps forward).
	Dropped Problem = "dropped"
	// Reordered: this line's entry belongs elsewhere (seq goes back, or the missing
	// entry follows it).
	Reordered Problem = "reordered"
	// Truncated: the last line was cut mid-entry.
	Truncated Problem = "truncated"
	// Malformed: the line is not an entry at all.
	Malformed Problem = "malformed"
)

// Report is the result of [Verify].
type Report struct {
	Entries  int    `json:"entries"`   // entries verified before the first bad line
	Bytes    int64  `json:"bytes"`     // bytes read
	LastSeq  uint64 `json:"last_seq"`  // seq of the last good entry
	LastHash string `json:"last_hash"` // hash of the last good entry: the head to record
	// BadLine is the 1-based number of the first bad line; 0 when the log verifies.
	BadLine int     `json:"bad_line,omitempty"`
	Problem Problem `json:"problem,omitempty"`
	Detail  string  `json:"detail,omitempty"`
}

// OK reports whether the whole log verified.
func (r Report) OK() bool { return r.BadLine == 0 }

// Verify reads a log from r and checks every entry: JSON with its own hash last, seq
// one more than the previous entry's, prev equal to the previous entry's hash, the first
// entry at seq 1, and a newline after the last entry. It stops at the first bad line and
// returns an errs.Tampered error naming it, with the report filled in. A read error is
// returned as errs.Internal.
//
// Dropping entries from the end of a log leaves a valid shorter chain; compare
// Report.LastSeq and LastHash with a head recorded elsewhere to detect that.
func Verify(r io.Reader) (Report, error) {
	var rep Report
	br := bufio.NewReaderSize(r, 256<<10)
	var prev Chain
	for lineNo := 1; ; lineNo++ {
		line, complete, err := readLine(br)
		rep.Bytes += int64(len(line))
		if complete {
			rep.Bytes++
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return rep, errs.Wrap(errs.Internal, err, "read audit log")
		}
		if len(line) == 0 && !complete {
			return rep, nil // clean end of file
		}
		bad := func(p Problem, format string, args ...any) (Report, error) {
			rep.BadLine, rep.Problem, rep.Detail = lineNo, p, fmt.Sprintf(format, args...)
			return rep, errs.New(errs.Tampered, "audit log line %d: %s: %s", lineNo, p, rep.Detail).
				WithHint("keep this copy as evidence and compare it with your syslog or HTTP audit sink; `swiftclaw audit verify` names only the first break")
		}
		if !complete {
			return bad(Truncated, "the last line has no newline; the entry was cut short")
		}
		link, linkPrev, err := checkLine(line)
		if err != nil {
			var le *lineError
			if errors.As(err, &le) {
				return bad(le.problem, "%s", le.msg)
			}
			return bad(Malformed, "%v", err)
		}
		want := prev.Seq + 1
		switch {
		case link.Seq == want && linkPrev == prev.Hash:
		case link.Seq == want:
			return bad(Edited, "entry %d does not link to the entry before it (this line or the one before was rewritten)", link.Seq)
		case link.Seq > want:
			next, _, _ := readLine(br)
			if nextSeq, _, ok := links(next); ok && nextSeq == want {
				return bad(Reordered, "entry %d comes before entry %d", link.Seq, want)
			}
			if want == 1 {
				return bad(Dropped, "the log starts at entry %d; entries 1 to %d are missing", link.Seq, link.Seq-1)
			}
			return bad(Dropped, "entry %d follows entry %d; %d entries are missing", link.Seq, prev.Seq, link.Seq-want)
		default:
			return bad(Reordered, "entry %d follows entry %d", link.Seq, prev.Seq)
		}
		prev = link
		rep.Entries++
		rep.LastSeq, rep.LastHash = prev.Seq, prev.Hash
	}
}

type lineError struct {
	problem Problem
	msg     string
}

func (e *lineError) Error() string { return e.msg }

// checkLine checks a sealed line's own hash and reads its links. The hash covers every
// byte but the hash field itself, so any edit, added field or reformatting that is not
// rehashed fails here, and one that is rehashed breaks the next line's prev. The links
// are read from their fixed places (seq first; prev just before hash, last) rather than
// by decoding the JSON, which keeps verification close to the speed of SHA-256.
func checkLine(line []byte) (Chain, string, error) {
	seq, prev, ok := links(line)
	if !ok {
		return Chain{}, "", &lineError{Malformed, "not an entry swiftclaw wrote"}
	}
	body, claimed, ok := splitSealed(line)
	if !ok {
		return Chain{}, "", &lineError{Edited, "the entry has no hash in the place swiftclaw writes it"}
	}
	if canonicalHash(body) != claimed {
		return Chain{}, "", &lineError{Edited, fmt.Sprintf("entry %d does not match its hash", seq)}
	}
	return Chain{Seq: seq, Hash: claimed}, prev, nil
}

// links reads seq from `{"seq":N,` and prev from `"prev":"<hex or empty>",` just before
// the hash field.
func links(line []byte) (seq uint64, prev string, ok bool) {
	const head = `{"seq":`
	if !bytes.HasPrefix(line, []byte(head)) {
		return 0, "", false
	}
	digits := line[len(head):]
	end := bytes.IndexByte(digits, ',')
	if end <= 0 || end > 20 {
		return 0, "", false
	}
	seq, err := strconv.ParseUint(string(digits[:end]), 10, 64)
	if err != nil {
		return 0, "", false
	}
	const tail = len(hashField) + 64 + 2
	if len(line) < len(head)+end+tail {
		return 0, "", false
	}
	rest := line[:len(line)-tail]
	const field = `,"prev":"`
	switch {
	case bytes.HasSuffix(rest, []byte(field+`"`)):
		return seq, "", true
	case len(rest) >= len(field)+65 && string(rest[len(rest)-65-len(field):len(rest)-65]) == field && rest[len(rest)-1] == '"':
		return seq, string(rest[len(rest)-65 : len(rest)-1]), true
	}
	return 0, "", false
}

// readLine returns the next line without its newline; complete is false when the input
// ended before a newline. Lines longer than MaxLineBytes are returned cut, which then
// fails to parse.
func readLine(br *bufio.Reader) (line []byte, complete bool, err error) {
	var acc []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			if len(acc) < MaxLineBytes {
				acc = append(acc, chunk...)
			}
			continue
		}
		if acc != nil {
			chunk = append(acc, chunk...)
		}
		if err != nil {
			return chunk, false, err
		}
		return chunk[:len(chunk)-1], true, nil
	}
}
