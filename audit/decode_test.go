package audit

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func decodeSeeds(t testing.TB) [][]byte {
	var c Chain
	var seeds [][]byte
	for _, e := range []Entry{
		readEntry(0),
		{Principal: "ci", Action: ActionRun, Agent: "a", Command: []string{"swiftclaw", "run", "a", "--", "x", Redacted}},
		{Principal: "Zoë <zoe@example.com>", Action: ActionRead, Agent: "a", Secret: "s", Command: []string{`C:\\path`}},
		{Principal: "p", Action: ActionSet, Command: []string{}},
		{Principal: "p", Action: ActionGrant},
	} {
		e.Time = time.Date(2024, 3, 8, 10, 30, 0, 5, time.UTC)
		_, line, err := c.Seal(e)
		if err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, line)
	}
	return append(seeds, []byte(`{"seq":01,"time":"2024-03-08T10:30:00Z","principal":"p","action":"read"}`),
		[]byte(`{"seq":1,"time":"2024-03-08T10:30:00Z","principal":"p","action":"read","extra":1}`),
		[]byte(`{"seq": 1}`), []byte(`not json`))
}

// quickDecode must agree with encoding/json whenever it accepts a line.
func FuzzQuickDecode(f *testing.F) {
	for _, s := range decodeSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		var quick Entry
		if !quickDecode(line, &quick) {
			return
		}
		var std Entry
		if err := json.Unmarshal(line, (*queryEntry)(&std)); err != nil {
			t.Fatalf("quickDecode accepted %q, encoding/json did not: %v", line, err)
		}
		if diff := cmp.Diff(std, quick); diff != "" {
			t.Fatalf("quickDecode(%q) (-json +quick):\n%s", line, diff)
		}
	})
}

func TestDecodeForQueryUsesFastPathForOwnLines(t *testing.T) {
	seeds := decodeSeeds(t)
	for i, line := range seeds[:5] {
		var quick, std Entry
		ok := quickDecode(line, &quick)
		if want := i != 2; ok != want { // entry 2 has escapes and non-ASCII: encoding/json
			t.Errorf("seed %d: quickDecode = %v, want %v", i, ok, want)
		}
		if err := decodeForQuery(line, &quick); err != nil {
			t.Fatal(err)
		}
		json.Unmarshal(line, (*queryEntry)(&std))
		if diff := cmp.Diff(std, quick); diff != "" {
			t.Errorf("seed %d (-json +decodeForQuery):\n%s", i, diff)
		}
	}
}

// Verify must never panic, and what it accepts must be a whole chain.
func FuzzVerify(f *testing.F) {
	f.Add(buildLog(f, 3))
	f.Add([]byte("garbage\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, log []byte) {
		rep, err := Verify(bytesReader(log))
		if err == nil && rep.Entries != countLines(log) {
			t.Fatalf("Verify accepted %d entries of %d lines", rep.Entries, countLines(log))
		}
	})
}
