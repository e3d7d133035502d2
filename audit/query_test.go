package audit

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Fatalf("%s (-want +got):\n%s", name, diff)
	}
}

// productLog writes the product page's example: reads logged by swiftclaw, plus a
// logged write that the merged view leaves to git history.
func productLog(t *testing.T) (*LogFile, []WriteEvent) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	times := []time.Time{
		time.Date(2024, 3, 7, 16, 0, 0, 0, time.UTC),
		time.Date(2024, 3, 8, 9, 15, 0, 0, time.UTC),
		time.Date(2024, 3, 8, 10, 0, 0, 0, time.UTC),
		time.Date(2024, 3, 8, 10, 30, 0, 0, time.UTC),
	}
	i := 0
	clock := func() time.Time { i++; return times[i-1] }
	l := newTestLogger(t, Config{File: FileConfig{Path: path}}, Options{Now: clock})
	for _, e := range []Entry{
		{Principal: "my-service", Action: ActionRead, Agent: "other-agent", Secret: "db-url"},
		{Principal: "my-service", Action: ActionRead, Agent: "my-agent", Secret: "db-url", Version: 2},
		{Principal: "admin@example.com", Action: ActionSet, Agent: "my-agent", Secret: "api-key", Version: 3},
		{Principal: "user@example.com", Action: ActionRead, Agent: "my-agent", Secret: "api-key", Version: 3},
	} {
		mustAppend(t, l, e)
	}
	lf, err := OpenLog(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lf.Close() })
	writes := []WriteEvent{
		{Time: time.Date(2024, 3, 8, 10, 0, 5, 0, time.UTC), Author: "admin@example.com", Action: "update",
			Agent: "my-agent", Secret: "api-key", Commit: "9f2c1e7a0b3d4c5e6f708192a3b4c5d6e7f80912", Signed: true},
		{Time: time.Date(2024, 3, 7, 14, 20, 0, 0, time.UTC), Author: "admin@example.com", Action: "update",
			Agent: "my-agent", Secret: "api-key", Commit: "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d"},
	}
	return lf, writes
}

func TestTableMergesGitWritesAndLoggedReadsNewestFirst(t *testing.T) {
	lf, writes := productLog(t)
	q := &Query{Log: lf, Size: lf.Size(), Writes: writes, Filter: Filter{Agent: "my-agent"}}
	var out bytes.Buffer
	st, err := WriteTable(&out, q, TableOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Rows != 4 || st.Skipped != 0 {
		t.Fatalf("stats %+v", st)
	}
	golden(t, "table.golden", out.Bytes())

	out.Reset()
	if _, err := WriteTable(&out, q, TableOptions{Source: true, Location: time.FixedZone("CET", 3600)}); err != nil {
		t.Fatal(err)
	}
	golden(t, "table_source_cet.golden", out.Bytes())
}

func TestJSONLabelsReadsRecordedBySwiftclaw(t *testing.T) {
	lf, writes := productLog(t)
	q := &Query{Log: lf, Size: lf.Size(), Writes: writes, Filter: Filter{Agent: "my-agent"}}
	var out bytes.Buffer
	if _, err := WriteJSON(&out, q); err != nil {
		t.Fatal(err)
	}
	golden(t, "query.json.golden", out.Bytes())
	var rows []Row
	if err := json.Unmarshal(out.Bytes(), &rows); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Action == "read" && r.Source != "recorded by swiftclaw" {
			t.Fatalf("read row not labelled: %+v", r)
		}
	}
	out.Reset()
	if _, err := WriteJSON(&out, &Query{Filter: Filter{Agent: "none"}}); err != nil || out.String() != "[]\n" {
		t.Fatalf("empty JSON = %q, %v", out.String(), err)
	}
}

func TestQueryFilters(t *testing.T) {
	lf, writes := productLog(t)
	summary := func(f Filter, loggedWrites bool) []string {
		q := &Query{Log: lf, Size: lf.Size(), Writes: writes, Filter: f, LoggedWrites: loggedWrites}
		var got []string
		if _, err := q.Each(func(r Row) error {
			got = append(got, fmt.Sprintf("%s %s %s %s", r.Time.Format("02T15:04"), r.User, r.Action, r.Secret))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return got
	}
	for _, c := range []struct {
		name   string
		f      Filter
		logged bool
		want   []string
	}{
		{"secret", Filter{Agent: "my-agent", Secret: "db-url"}, false, []string{"08T09:15 my-service read db-url"}},
		{"user any case", Filter{Agent: "my-agent", User: "USER@example.com"}, false, []string{"08T10:30 user@example.com read api-key"}},
		{"since", Filter{Agent: "my-agent", Since: time.Date(2024, 3, 8, 10, 0, 0, 0, time.UTC)}, false,
			[]string{"08T10:30 user@example.com read api-key", "08T10:00 admin@example.com update api-key"}},
		{"all agents", Filter{}, false, []string{"08T10:30 user@example.com read api-key", "08T10:00 admin@example.com update api-key",
			"08T09:15 my-service read db-url", "07T16:00 my-service read db-url", "07T14:20 admin@example.com update api-key"}},
		{"logged writes", Filter{Agent: "my-agent", Since: time.Date(2024, 3, 8, 10, 0, 0, 0, time.UTC)}, true,
			[]string{"08T10:30 user@example.com read api-key", "08T10:00 admin@example.com update api-key", "08T10:00 admin@example.com set api-key"}},
	} {
		if diff := cmp.Diff(c.want, summary(c.f, c.logged)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, diff)
		}
	}
}

// blockReader fails the test if a query asks for more than one block at a time.
type blockReader struct {
	t     *testing.T
	r     *bytes.Reader
	block int
	read  int64
}

func (b *blockReader) ReadAt(p []byte, off int64) (int, error) {
	if len(p) > b.block {
		b.t.Fatalf("ReadAt of %d bytes, more than one %d-byte block", len(p), b.block)
	}
	b.read += int64(len(p))
	return b.r.ReadAt(p, off)
}

func TestTableStreamsTheLogInBlocks(t *testing.T) {
	log := buildLog(t, 5000)
	br := &blockReader{t: t, r: bytes.NewReader(log), block: 4096}
	q := &Query{Log: br, Size: int64(len(log)), BlockSize: 4096, Filter: Filter{Secret: "db-url"}}
	var out bytes.Buffer
	st, err := WriteTable(&out, q, TableOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Two passes (measure, print), each reading every byte once, in blocks.
	if br.read != 2*int64(len(log)) {
		t.Fatalf("read %d bytes, want %d", br.read, 2*len(log))
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if st.Rows != 1667 || len(lines) != 1668 {
		t.Fatalf("rows %d, lines %d", st.Rows, len(lines))
	}
	if lines[1] != "2024-03-08 10:23  user@example.com  read    db-url" {
		t.Fatalf("newest row = %q", lines[1])
	}
}

func TestCountReadsStopsAtWindow(t *testing.T) {
	log := buildLog(t, 3000) // one read per second from t0
	br := &blockReader{t: t, r: bytes.NewReader(log), block: 64 << 10}
	since := t0.Add(2900 * time.Second)
	n, err := CountReads(br, int64(len(log)), "my-agent", "api-key", since)
	if err != nil {
		t.Fatal(err)
	}
	// Entries 2900..2999; api-key is every third (i%3 == 0): 2901, 2904, ..., 2997.
	if n != 33 {
		t.Fatalf("CountReads = %d, want 33", n)
	}
	if br.read > 64<<10+1 { // one block, plus the probe of the last byte
		t.Fatalf("read %d bytes for a 100-entry window", br.read)
	}
}

func TestQueryReportsSkippedLines(t *testing.T) {
	log := append(buildLog(t, 3), []byte("garbage\n"+`{"seq":4,"ti`)...)
	q := &Query{Log: bytes.NewReader(log), Size: int64(len(log))}
	st, err := q.Each(func(Row) error { return nil })
	if err != nil || st.Rows != 3 || st.Skipped != 2 {
		t.Fatalf("stats %+v, %v", st, err)
	}
}
