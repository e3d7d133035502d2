package dotenv

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/joho/godotenv"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

func toMap(es []Entry) map[string]string {
	m := map[string]string{}
	for _, e := range es {
		m[e.Key] = string(e.Value)
	}
	return m
}

func TestParseAgreesWithGodotenv(t *testing.T) {
	cases := map[string]struct {
		src  string
		want map[string]string
	}{
		"plain":        {"A=1\nB=two\n", map[string]string{"A": "1", "B": "two"}},
		"export":       {"export A=1\nexport\tB='x y'\n", map[string]string{"A": "1", "B": "x y"}},
		"comments":     {"# top\n\n  # indented\nA=1 # trailing\nB='#not' # c\n", map[string]string{"A": "1", "B": "#not"}},
		"spaces at =":  {"A = 1\nB= 'q'\n", map[string]string{"A": "1", "B": "q"}},
		"empty":        {"A=\nB=''\nC=\"\"\n", map[string]string{"A": "", "B": "", "C": ""}},
		"double esc":   {`A="l1\nl2 \"q\" \\ \$HOME"` + "\n", map[string]string{"A": "l1\nl2 \"q\" \\ $HOME"}},
		"multi-line":   {"KEY=\"-----BEGIN X-----\nabc\n-----END X-----\"\nB=1\n", map[string]string{"KEY": "-----BEGIN X-----\nabc\n-----END X-----", "B": "1"}},
		"single multi": {"A='l1\nl2 $X \\n'\n", map[string]string{"A": "l1\nl2 $X \\n"}},
		"crlf":         {"A=1\r\nB=\"x\r\ny\"\r\n# c\r\n", map[string]string{"A": "1", "B": "x\ny"}},
		"no final nl":  {"A='v'", map[string]string{"A": "v"}},
		"dup same":     {"A=1\nA=1\n", map[string]string{"A": "1"}},
		"url":          {"DATABASE_URL=postgresql://u:p@h:5432/db?sslmode=require\n", map[string]string{"DATABASE_URL": "postgresql://u:p@h:5432/db?sslmode=require"}},
		"lone dollar":  {"A=pa$\nB=\"a $ b\"\n", map[string]string{"A": "pa$", "B": "a $ b"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := Parse(strings.NewReader(c.src), "t.env")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.want, toMap(got)); diff != "" {
				t.Fatalf("Parse (-want +got):\n%s", diff)
			}
			theirs, err := godotenv.UnmarshalBytes([]byte(c.src))
			if err != nil {
				t.Fatalf("godotenv: %v", err)
			}
			if diff := cmp.Diff(c.want, theirs); diff != "" {
				t.Fatalf("godotenv disagrees (-want +got):\n%s", diff)
			}
		})
	}
}

// Backtick quotes and a byte-order mark are read by some parsers but not godotenv.
func TestParseBacktickBOMAndLineNumbers(t *testing.T) {
	got, err := Parse(strings.NewReader("\xef\xbb\xbf# c\nA=`x\ny`\n\nB=2\n"), "t.env")
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{{Key: "A", Value: []byte("x\ny"), Line: 2}, {Key: "B", Value: []byte("2"), Line: 5}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatal(diff)
	}
}

func TestParseRefusesAmbiguity(t *testing.T) {
	cases := map[string]struct {
		src, want string
	}{
		"unterminated double": {"A=1\nB=\"s3cr3t\nC=2\n", "t.env:2: unterminated \""},
		"unterminated single": {"A='s3cr3t\n", "t.env:1: unterminated '"},
		"dup different":       {"A=s3cr3t\nB=1\nA=other\n", "t.env:3: A is defined again with a different value (first on line 1)"},
		"invalid key":         {"A=1\nMY-KEY=s3cr3t\n", "t.env:2: expected '=' after MY"},
		"digit key":           {"1A=s3cr3t\n", "t.env:1: invalid variable name \"1A\""},
		"spaces garbage":      {"A=s3cr3t garbage\n", "t.env:1: unquoted value of A contains spaces"},
		"hash inside":         {"A=s3cr3t#x\n", "t.env:1: unquoted value of A contains '#'"},
		"quote inside":        {"A=s3cr3t\"x\n", "t.env:1: unquoted value of A contains a quote"},
		"bad escape":          {"A=\"s3cr3t\\t\"\n", "t.env:1: escape \\t in the value of A"},
		"variable":            {"A=\"s3cr3t$HOME\"\n", "t.env:1: value of A contains a variable reference"},
		"unquoted variable":   {"A=s3cr3t${X}\n", "t.env:1: value of A contains a variable reference"},
		"after quote":         {"A='s3cr3t' more\n", "t.env:1: unexpected text after the closing quote of A"},
		"no equals":           {"JUSTAWORD\n", "t.env:1: expected '=' after JUSTAWORD"},
		"yaml style":          {"A: s3cr3t\n", "t.env:1: expected '=' after A"},
		"backslash quote":     {"A='s3cr3t\\'\n", "t.env:1: value of A has a backslash before its closing quote"},
		"stray cr":            {"A=s3\rcr3t\n", "t.env:1: unquoted value of A contains a control character"},
		"line after multi":    {"A=\"x\ny\"\nB=\"s3cr3t\n", "t.env:3: unterminated"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(c.src), "t.env")
			if !errs.Is(err, errs.Input) {
				t.Fatalf("err = %v, want an input error", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %q, want it to contain %q", err, c.want)
			}
			if strings.Contains(err.Error(), "s3cr3t") {
				t.Fatalf("error repeats a value: %q", err)
			}
			if errs.HintOf(err) == "" {
				t.Fatal("no hint")
			}
		})
	}
}

func TestParseRefusesHugeInput(t *testing.T) {
	_, err := Parse(strings.NewReader(strings.Repeat("A=1\n", MaxFileSize/4+1)), "big.env")
	if !errs.Is(err, errs.Input) {
		t.Fatalf("err = %v", err)
	}
}
