package audit

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func backwardLines(t *testing.T, text string, block int) (lines []string, offsets []int64, partial bool) {
	t.Helper()
	s := NewBackwardScanner(strings.NewReader(text), int64(len(text)), block)
	for s.Scan() {
		lines = append(lines, string(s.Line()))
		offsets = append(offsets, s.Offset())
	}
	if err := s.Err(); err != nil {
		t.Fatalf("scan %q: %v", text, err)
	}
	return lines, offsets, s.Partial()
}

func TestBackwardScannerMatchesForwardSplit(t *testing.T) {
	var long strings.Builder
	for i := range 300 {
		fmt.Fprintf(&long, "line %d %s\n", i, strings.Repeat("x", i%37))
	}
	texts := []string{"", "\n", "a", "a\n", "a\nb", "a\nb\n", "\n\na\n\n", "abc\ndefgh\ni\n", long.String(),
		long.String() + "tail without newline"}
	for _, text := range texts {
		want := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
		if text == "" {
			want = nil
		}
		slices.Reverse(want)
		for _, block := range []int{1, 2, 3, 7, 64, 4096} {
			got, offsets, partial := backwardLines(t, text, block)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("text %.20q block %d (-want +got):\n%s", text, block, diff)
			}
			for i, off := range offsets {
				if !strings.HasPrefix(text[off:], got[i]) {
					t.Fatalf("offset %d of line %q is wrong", off, got[i])
				}
			}
			if wantPartial := text != "" && !strings.HasSuffix(text, "\n"); partial != wantPartial {
				t.Fatalf("text %.20q: Partial = %v", text, partial)
			}
		}
	}
}

func TestBackwardScannerRejectsHugeLine(t *testing.T) {
	text := strings.Repeat("y", MaxLineBytes+10) + "\nshort\n"
	s := NewBackwardScanner(strings.NewReader(text), int64(len(text)), 4096)
	if !s.Scan() || string(s.Line()) != "short" {
		t.Fatal("first line should be 'short'")
	}
	if s.Scan() {
		t.Fatal("scanned a line longer than MaxLineBytes")
	}
	if s.Err() == nil {
		t.Fatal("want an error for the oversized line")
	}
}
