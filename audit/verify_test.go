package audit

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

func logLines(t *testing.T, n int) [][]byte {
	return bytes.SplitAfter(buildLog(t, n), []byte("\n"))[:n]
}

// expectBreak verifies the tampered log and checks the first bad line and problem.
func expectBreak(t *testing.T, log []byte, line int, p Problem) Report {
	t.Helper()
	rep, err := Verify(bytes.NewReader(log))
	if err == nil {
		t.Fatalf("Verify accepted a tampered log")
	}
	if !errs.Is(err, errs.Tampered) {
		t.Fatalf("error kind = %v, want Tampered: %v", errs.KindOf(err), err)
	}
	if rep.BadLine != line || rep.Problem != p {
		t.Fatalf("BadLine %d Problem %q (%s), want line %d %q", rep.BadLine, rep.Problem, rep.Detail, line, p)
	}
	if !strings.Contains(err.Error(), "line "+strconv.Itoa(line)+":") {
		t.Fatalf("error does not name line %d: %v", line, err)
	}
	if rep.Entries != line-1 {
		t.Fatalf("Entries = %d, want %d", rep.Entries, line-1)
	}
	return rep
}

func TestVerifyAcceptsIntactLog(t *testing.T) {
	log := buildLog(t, 50)
	rep, err := Verify(bytes.NewReader(log))
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Entries != 50 || rep.LastSeq != 50 || rep.Bytes != int64(len(log)) || len(rep.LastHash) != 64 {
		t.Fatalf("report %+v", rep)
	}
	if rep, err := Verify(strings.NewReader("")); err != nil || rep.Entries != 0 {
		t.Fatalf("empty log: %+v %v", rep, err)
	}
}

func TestVerifyDetectsEditedEntry(t *testing.T) {
	lines := logLines(t, 10)
	lines[4] = bytes.Replace(lines[4], []byte("user@example.com"), []byte("someone@example.com"), 1)
	expectBreak(t, bytes.Join(lines, nil), 5, Edited)
}

func TestVerifyDetectsEditedEntryWithRecomputedHash(t *testing.T) {
	lines := logLines(t, 10)
	var e Entry
	if err := json.Unmarshal(lines[4], &e); err != nil {
		t.Fatal(err)
	}
	e.Principal = "someone@example.com"
	_, line, err := seal(e) // an editor who knows the scheme rehashes the line
	if err != nil {
		t.Fatal(err)
	}
	lines[4] = append(line, '\n')
	// Line 5 is now self-consistent; line 6 no longer links to it.
	expectBreak(t, bytes.Join(lines, nil), 6, Edited)
}

func TestVerifyDetectsReformattedEntry(t *testing.T) {
	lines := logLines(t, 10)
	lines[2] = bytes.Replace(lines[2], []byte(`"seq":3,`), []byte(`"seq":3, "value":"x",`), 1)
	expectBreak(t, bytes.Join(lines, nil), 3, Edited)
}

func TestVerifyDetectsDroppedEntry(t *testing.T) {
	lines := logLines(t, 10)
	lines = slices.Delete(lines, 6, 7) // drop entry 7
	rep := expectBreak(t, bytes.Join(lines, nil), 7, Dropped)
	if rep.LastSeq != 6 {
		t.Fatalf("LastSeq = %d, want 6", rep.LastSeq)
	}
}

func TestVerifyDetectsDroppedHead(t *testing.T) {
	lines := logLines(t, 10)
	expectBreak(t, bytes.Join(lines[3:], nil), 1, Dropped)
}

func TestVerifyDetectsReorderedEntries(t *testing.T) {
	lines := logLines(t, 10)
	lines[3], lines[4] = lines[4], lines[3]
	expectBreak(t, bytes.Join(lines, nil), 4, Reordered)
}

func TestVerifyDetectsEntryMovedBack(t *testing.T) {
	lines := logLines(t, 10)
	moved := lines[2]
	lines = slices.Insert(slices.Delete(lines, 2, 3), 8, moved) // entry 3 now after entry 9
	// Line 3 holds entry 4: entry 3 is missing there.
	expectBreak(t, bytes.Join(lines, nil), 3, Dropped)
}

func TestVerifyDetectsTruncatedEntry(t *testing.T) {
	log := buildLog(t, 10)
	cut := log[:len(log)-40] // mid-way through entry 10
	expectBreak(t, cut, 10, Truncated)
	// Cut exactly before the final newline: the JSON is whole but the write was not.
	expectBreak(t, log[:len(log)-1], 10, Truncated)
}

func TestVerifyDetectsGarbageLine(t *testing.T) {
	lines := logLines(t, 5)
	lines = slices.Insert(lines, 2, []byte("not json\n"))
	expectBreak(t, bytes.Join(lines, nil), 3, Malformed)
}
