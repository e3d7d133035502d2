package deploy

import (
	"bytes"
	"io"
	"sort"
	"strings"
	"sync"
)

// Redactor is an io.WriteCloser that replaces every occurrence of a deployed value, and of
// every non-blank line of a multi-line value, with [REDACTED:NAME] before passing output on.
//
// A value may arrive split across writes, so Redactor holds back the shortest tail of its
// input that could still begin a match, and nothing more; Close flushes that tail. Where
// several values match at one position the longest wins, so a whole multi-line value is
// reported as one redaction. Write and Close are safe for concurrent use; give stdout and
// stderr a Redactor each, since a value split between two streams cannot be recognised.
type Redactor struct {
	mu      sync.Mutex
	w       io.Writer
	byFirst [256][]pattern // patterns by first byte, longest first
	held    []byte
	closed  bool
}

type pattern struct {
	text []byte
	repl []byte
}

// NewRedactor returns a Redactor writing to w that hides the values of vars.
func NewRedactor(w io.Writer, vars []Var) *Redactor {
	r := &Redactor{w: w}
	r.add(vars)
	return r
}

// Add hides more values from now on: output already passed on is not revisited, so add a
// value before the process writing through r can have seen it (the run channel adds each
// value before sending it to the child).
func (r *Redactor) Add(vars ...Var) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.add(vars)
}

func (r *Redactor) add(vars []Var) {
	add := func(text, name string) {
		if strings.TrimSpace(text) == "" {
			return
		}
		for _, p := range r.byFirst[text[0]] {
			if string(p.text) == text {
				return
			}
		}
		p := pattern{text: []byte(text), repl: []byte("[REDACTED:" + name + "]")}
		r.byFirst[text[0]] = append(r.byFirst[text[0]], p)
	}
	// Whole values first, so a line shared with a longer value keeps the longer value's name.
	for _, v := range vars {
		add(string(v.Value), v.Name)
	}
	for _, v := range vars {
		s := string(v.Value)
		if !strings.ContainsAny(s, "\r\n") {
			continue
		}
		for _, line := range strings.FieldsFunc(s, func(c rune) bool { return c == '\n' || c == '\r' }) {
			add(line, v.Name)
		}
	}
	for i := range r.byFirst {
		ps := r.byFirst[i]
		sort.SliceStable(ps, func(a, b int) bool { return len(ps[a].text) > len(ps[b].text) })
	}
}

// Write redacts p (with any held-back bytes before it) and writes what is settled.
// It reports len(p) on success: every byte is either written or held for the next call.
func (r *Redactor) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return 0, io.ErrClosedPipe
	}
	buf := append(r.held, p...)
	out, rest := r.scan(buf, false)
	r.held = append([]byte(nil), rest...)
	if len(out) > 0 {
		if _, err := r.w.Write(out); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// Close redacts and writes the held-back tail. It does not close the underlying writer.
func (r *Redactor) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil
	}
	r.closed = true
	out, _ := r.scan(r.held, true)
	r.held = nil
	if len(out) == 0 {
		return nil
	}
	_, err := r.w.Write(out)
	return err
}

// scan redacts buf from the left. Unless final, it stops at the first position where a
// pattern longer than what remains could still match, and returns that tail as rest.
func (r *Redactor) scan(buf []byte, final bool) (out, rest []byte) {
	out = make([]byte, 0, len(buf))
	for i := 0; i < len(buf); {
		tail := buf[i:]
		var match *pattern
		pending := false
		for k := range r.byFirst[buf[i]] {
			p := &r.byFirst[buf[i]][k]
			if len(p.text) > len(tail) {
				if !final && bytes.HasPrefix(p.text, tail) {
					pending = true
					break // longest first: a longer candidate is still open
				}
				continue
			}
			if bytes.HasPrefix(tail, p.text) {
				match = p
				break
			}
		}
		switch {
		case pending:
			return out, tail
		case match != nil:
			out = append(out, match.repl...)
			i += len(match.text)
		default:
			out = append(out, buf[i])
			i++
		}
	}
	return out, nil
}
