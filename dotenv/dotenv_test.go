package dotenv

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/joho/godotenv"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// awkward are the fragments the round-trip property test builds values from.
var awkward = []string{
	"a", "Z", "0", " ", "\t", "\n", "\r", "\r\n", `"`, `'`, "`", "#", " #", "$", "${X}", "$X",
	"$(X)", "=", `\`, `\n`, `\$`, `\"`, "é", "😀", "export ", "-----BEGIN", "=\n", ":", "'#'",
}

func randomValue(r *rand.Rand) []byte {
	var b strings.Builder
	for n := r.IntN(8); n > 0; n-- {
		b.WriteString(awkward[r.IntN(len(awkward))])
	}
	return []byte(b.String())
}

// unrepresentable is the documented class Quote refuses: a value that needs quoting and
// ends in a backslash, or ends in a double quote while single quotes are ruled out.
func unrepresentable(v []byte) bool {
	if len(v) == 0 || isPlain(v) {
		return false
	}
	last := v[len(v)-1]
	noSingle := bytes.ContainsAny(v, "'\r")
	return last == '\\' || last == '"' && noSingle
}

func TestMarshalRoundTripsThroughParseAndGodotenv(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	refused := 0
	for i := range 3000 {
		v := randomValue(r)
		entries := []Entry{{Key: "BEFORE", Value: []byte("x")}, {Key: "V", Value: v}, {Key: "AFTER", Value: []byte("y z")}}
		out, err := Marshal(entries)
		if unrepresentable(v) {
			if !errs.Is(err, errs.Input) {
				t.Fatalf("case %d: want an input error for %q, got %v", i, v, err)
			}
			if strings.Contains(err.Error(), string(v)) && len(v) > 1 {
				t.Fatalf("case %d: error repeats the value: %v", i, err)
			}
			refused++
			continue
		}
		if err != nil {
			t.Fatalf("case %d: Marshal(%q): %v", i, v, err)
		}
		got, err := Parse(bytes.NewReader(out), "gen.env")
		if err != nil {
			t.Fatalf("case %d: Parse of %q: %v\nfile:\n%s", i, v, err, out)
		}
		if len(got) != 3 || !bytes.Equal(got[1].Value, v) || string(got[2].Value) != "y z" {
			t.Fatalf("case %d: Parse round trip of %q gave %+v\nfile:\n%s", i, v, got, out)
		}
		theirs, err := godotenv.UnmarshalBytes(out)
		if err != nil {
			t.Fatalf("case %d: godotenv of %q: %v\nfile:\n%s", i, v, err, out)
		}
		want := map[string]string{"BEFORE": "x", "V": string(v), "AFTER": "y z"}
		if diff := cmp.Diff(want, theirs); diff != "" {
			t.Fatalf("case %d: godotenv disagrees for %q (-want +got):\n%s\nfile:\n%s", i, v, diff, out)
		}
	}
	if refused == 0 || refused > 600 {
		t.Fatalf("refused %d of 3000 generated values; the generator or Quote drifted", refused)
	}
}

func TestQuoteRefusesNULAndInvalidUTF8(t *testing.T) {
	for _, v := range [][]byte{[]byte("a\x00b"), {0xff, 0xfe}} {
		if _, err := Quote(v); !errs.Is(err, errs.Input) {
			t.Errorf("Quote(%q) = %v, want input error", v, err)
		}
	}
}

func TestMarshalRejectsBadKey(t *testing.T) {
	_, err := Marshal([]Entry{{Key: "1BAD", Value: []byte("v")}})
	if !errs.Is(err, errs.Input) {
		t.Fatalf("err = %v", err)
	}
}

func FuzzMarshalParse(f *testing.F) {
	for _, s := range awkward {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, v []byte) {
		out, err := Marshal([]Entry{{Key: "K", Value: v}})
		if err != nil {
			return
		}
		got, err := Parse(bytes.NewReader(out), "fuzz")
		if err != nil || len(got) != 1 || !bytes.Equal(got[0].Value, v) {
			t.Fatalf("round trip of %q: %v %+v", v, err, got)
		}
		theirs, err := godotenv.UnmarshalBytes(out)
		if err != nil || theirs["K"] != string(v) {
			t.Fatalf("godotenv round trip of %q: %v %q", v, err, theirs["K"])
		}
	})
}
