package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"time"
)

// Sources label where a row came from.
const (
	// SourceSwiftclaw marks entries from the access log: reads swiftclaw itself made.
	// Anyone holding an identity can also decrypt with plain age, unrecorded.
	SourceSwiftclaw = "recorded by swiftclaw"
	// SourceGit marks writes found in git history.
	SourceGit = "git history"
)

// WriteEvent is a change to a secret found in git history, supplied by the caller.
type WriteEvent struct {
	Time   time.Time
	Author string // the principal (commit author email)
	Action string // e.g. "set", "update", "rotate", "rm"
	Agent  string
	Secret string
	Commit string
	Signed bool
}

// Filter selects rows. Zero fields match everything.
type Filter struct {
	Since  time.Time // rows at or after Since
	Agent  string
	Secret string
	User   string // principal or commit author, compared case-insensitively
}

func (f Filter) match(t time.Time, user, agent, secret string) bool {
	return !t.Before(f.Since) &&
		(f.Agent == "" || f.Agent == agent) &&
		(f.Secret == "" || f.Secret == secret) &&
		(f.User == "" || strings.EqualFold(f.User, user))
}

// Row is one line of `audit secrets` output.
type Row struct {
	Time    time.Time `json:"time"`
	User    string    `json:"user"`
	Action  string    `json:"action"`
	Agent   string    `json:"agent,omitempty"`
	Secret  string    `json:"secret,omitempty"`
	Version int       `json:"version,omitempty"`
	Source  string    `json:"source"`
	Host    string    `json:"host,omitempty"`
	Seq     uint64    `json:"seq,omitempty"`
	Commit  string    `json:"commit,omitempty"`
	Signed  *bool     `json:"signed,omitempty"`
}

// Query merges the access log with git-history writes, newest first, streaming: the log
// is read backwards by blocks, so memory is bounded by one block, one line and the
// writes slice, whatever the log's size.
type Query struct {
	// Log and Size give the access log (entries oldest first, as appended). A nil Log
	// means writes only.
	Log    io.ReaderAt
	Size   int64
	Writes []WriteEvent
	Filter Filter
	// LoggedWrites also shows write entries from the log. By default only reads come
	// from the log: git history is the record of writes, with author and signature.
	LoggedWrites bool
	// BlockSize of backward reads; 0 means 64 KiB.
	BlockSize int
}

// Stats describes one pass of a query.
type Stats struct {
	Rows    int // rows emitted
	Skipped int // log lines that were not entries (see `swiftclaw audit verify`)
}

// Each calls fn for every matching row, newest first. Entries are assumed to be in time
// order in the log (the file sink stamps them under its lock), so a Since filter stops
// the backward scan at the first older entry.
func (q *Query) Each(fn func(Row) error) (Stats, error) {
	var st Stats
	writes := make([]WriteEvent, 0, len(q.Writes))
	for _, w := range q.Writes {
		if q.Filter.match(w.Time, w.Author, w.Agent, w.Secret) {
			writes = append(writes, w)
		}
	}
	slices.SortStableFunc(writes, func(a, b WriteEvent) int { return b.Time.Compare(a.Time) })
	var reads *entryIter
	if q.Log != nil {
		reads = newEntryIter(q.Log, q.Size, q.BlockSize, q.Filter, func(e *Entry) bool {
			return q.LoggedWrites || e.Action.IsRead()
		})
	}
	var next *Entry
	advance := func() error {
		next = nil
		if reads == nil {
			return nil
		}
		e, ok, err := reads.next()
		if ok {
			next = &e
		}
		return err
	}
	if err := advance(); err != nil {
		return st, err
	}
	for next != nil || len(writes) > 0 {
		var r Row
		if next != nil && (len(writes) == 0 || next.Time.After(writes[0].Time)) {
			r = rowFromEntry(next)
			if err := advance(); err != nil {
				return st, err
			}
		} else {
			r = rowFromWrite(writes[0])
			writes = writes[1:]
		}
		st.Rows++
		if err := fn(r); err != nil {
			return st, err
		}
	}
	if reads != nil {
		st.Skipped = reads.skipped
	}
	return st, nil
}

func rowFromEntry(e *Entry) Row {
	return Row{Time: e.Time, User: e.Principal, Action: string(e.Action), Agent: e.Agent, Secret: e.Secret,
		Version: e.Version, Source: SourceSwiftclaw, Host: e.Host, Seq: e.Seq}
}

func rowFromWrite(w WriteEvent) Row {
	signed := w.Signed
	return Row{Time: w.Time.UTC(), User: w.Author, Action: w.Action, Agent: w.Agent, Secret: w.Secret,
		Source: SourceGit, Commit: w.Commit, Signed: &signed}
}

// entryIter yields log entries newest first that pass the filter and keep.
type entryIter struct {
	s       *BackwardScanner
	f       Filter
	keep    func(*Entry) bool
	needles [][]byte // cheap substring tests before a full parse
	skipped int
	first   bool
	done    bool
}

func newEntryIter(r io.ReaderAt, size int64, block int, f Filter, keep func(*Entry) bool) *entryIter {
	it := &entryIter{s: NewBackwardScanner(r, size, block), f: f, keep: keep, first: true}
	for _, kv := range [][2]string{{"agent", f.Agent}, {"secret", f.Secret}} {
		if kv[1] != "" {
			v, _ := json.Marshal(kv[1])
			it.needles = append(it.needles, append([]byte(`"`+kv[0]+`":`), v...))
		}
	}
	return it
}

func (it *entryIter) next() (Entry, bool, error) {
	for !it.done && it.s.Scan() {
		line := it.s.Line()
		if it.first && it.s.Partial() {
			it.first = false
			it.skipped++
			continue
		}
		it.first = false
		if !containsAll(line, it.needles) {
			continue
		}
		var e Entry
		if err := decodeForQuery(line, &e); err != nil || e.Action == "" || e.Time.IsZero() {
			it.skipped++
			continue
		}
		if e.Time.Before(it.f.Since) {
			it.done = true
			break
		}
		if it.f.match(e.Time, e.Principal, e.Agent, e.Secret) && it.keep(&e) {
			return e, true, nil
		}
	}
	it.done = true
	return Entry{}, false, it.s.Err()
}

func containsAll(line []byte, needles [][]byte) bool {
	for _, n := range needles {
		if !bytes.Contains(line, n) {
			return false
		}
	}
	return true
}

// CountReads counts read entries (see [Action.IsRead]) for agent, and secret when it is
// not empty, at or after since. It reads the log backwards and stops at the first older
// entry, so its cost is the size of the window, not of the log.
func CountReads(r io.ReaderAt, size int64, agent, secret string, since time.Time) (int, error) {
	it := newEntryIter(r, size, 0, Filter{Since: since, Agent: agent, Secret: secret},
		func(e *Entry) bool { return e.Action.IsRead() })
	n := 0
	for {
		_, ok, err := it.next()
		if !ok {
			return n, err
		}
		n++
	}
}

// TableOptions control [WriteTable].
type TableOptions struct {
	Location *time.Location // times are shown in this zone; nil means UTC
	Source   bool           // add a SOURCE column: "swiftclaw" or "git <commit> signed|unsigned"
}

const tableTime = "2006-01-02 15:04"

// WriteTable writes the product's table:
//
//	TIME              USER               ACTION  SECRET
//	2024-03-08 10:30  user@example.com   read    api-key
//
// Columns are aligned with two spaces, headers upper-case. To align without holding the
// rows, it runs the query twice: once to measure the columns, once to print.
func WriteTable(w io.Writer, q *Query, o TableOptions) (Stats, error) {
	loc := o.Location
	if loc == nil {
		loc = time.UTC
	}
	header := []string{"TIME", "USER", "ACTION", "SECRET"}
	if o.Source {
		header = append(header, "SOURCE")
	}
	cells := func(r Row) []string {
		c := []string{r.Time.In(loc).Format(tableTime), r.User, r.Action, r.Secret}
		if o.Source {
			c = append(c, sourceCell(r))
		}
		return c
	}
	widths := make([]int, len(header))
	measure := func(c []string) {
		for i, s := range c {
			widths[i] = max(widths[i], len(s))
		}
	}
	measure(header)
	if _, err := q.Each(func(r Row) error { measure(cells(r)); return nil }); err != nil {
		return Stats{}, err
	}
	bw := bufio.NewWriter(w)
	writeRow := func(c []string) error {
		for i, s := range c {
			if i == len(c)-1 {
				bw.WriteString(s)
				break
			}
			bw.WriteString(s)
			bw.WriteString(strings.Repeat(" ", widths[i]-len(s)+2))
		}
		return bw.WriteByte('\n')
	}
	writeRow(header)
	st, err := q.Each(func(r Row) error { return writeRow(cells(r)) })
	if err != nil {
		return st, err
	}
	return st, bw.Flush()
}

func sourceCell(r Row) string {
	if r.Source != SourceGit {
		return "swiftclaw"
	}
	c := "git " + r.Commit[:min(7, len(r.Commit))]
	if r.Signed != nil && *r.Signed {
		return c + " signed"
	}
	return c + " unsigned"
}

// WriteJSON writes the rows as a JSON array, one object per line, streaming.
func WriteJSON(w io.Writer, q *Query) (Stats, error) {
	bw := bufio.NewWriter(w)
	sep := "[\n"
	st, err := q.Each(func(r Row) error {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		bw.WriteString(sep)
		sep = ",\n"
		_, err = bw.Write(b)
		return err
	})
	if err != nil {
		return st, err
	}
	if sep == "[\n" {
		bw.WriteString("[]\n")
	} else {
		bw.WriteString("\n]\n")
	}
	return st, bw.Flush()
}
