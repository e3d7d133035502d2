package ghenv

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseLikeTheRunner(t *testing.T) {
	text := "A=1\n\nB=x=y<<z\nC<<EOF\nl1\n\nl3\nEOF\nEMPTY<<D\nD\nNL<<D\n\nD\nTRAIL<<D\nv\n\nD\n"
	got, err := Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"A": "1", "B": "x=y<<z", "C": "l1\n\nl3", "EMPTY": "", "NL": "", "TRAIL": "v\n"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatal(diff)
	}
	for _, bad := range []string{"JUSTNAME\n", "A<<EOF\nno end\n", "<<EOF\nEOF\n", "A<<\n"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
