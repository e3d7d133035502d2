package templates

import (
	"fmt"
	"io"
	"regexp"
	"text/tabwriter"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// State is what the vault knows about one secret, without its value.
type State struct {
	Exists      bool
	Expired     bool
	Description string
	Rotation    string // stored policy: "90d", "never", "" for none
	// Match tests the secret's value against re without handing the value out: the vault
	// decrypts, matches and forgets. nil when values cannot be read here.
	Match func(re *regexp.Regexp) (bool, error)
}

// Inventory maps secret names to their state; a name that is absent does not exist.
type Inventory map[string]State

// Severity ranks findings.
type Severity int

// Severities, least serious first.
const (
	Info Severity = iota
	Warning
	Error
)

func (s Severity) String() string {
	return [...]string{"info", "warning", "error"}[s]
}

// Finding codes.
const (
	MissingRequired    = "missing-required"
	MissingOptional    = "missing-optional"
	Expired            = "expired"
	PatternMismatch    = "pattern-mismatch"
	PatternUnverified  = "pattern-unverified"
	DescriptionDiffers = "description-differs"
	RotationDiffers    = "rotation-differs"
	WillGenerate       = "will-generate"
)

// Finding is one result of comparing a template with the vault. Messages never hold values.
type Finding struct {
	Secret   string
	Severity Severity
	Code     string
	Message  string
}

// Report is every finding for one template, in template order.
type Report struct {
	Template string
	Findings []Finding
}

// Failed reports whether any finding is an error.
func (r Report) Failed() bool {
	for _, f := range r.Findings {
		if f.Severity == Error {
			return true
		}
	}
	return false
}

// Err returns an errs.Findings error when the report failed, else nil.
func (r Report) Err(agent string) error {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == Error {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	return errs.New(errs.Findings, "%d secret%s of %s do not meet template %s", n, plural(n), agent, r.Template).
		WithHint("swiftclaw secrets apply %s --template %s --interactive", agent, r.Template)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// WriteReport writes the findings as an aligned SEVERITY SECRET PROBLEM table.
func WriteReport(w io.Writer, r Report) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SEVERITY\tSECRET\tPROBLEM")
	for _, f := range r.Findings {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", f.Severity, f.Secret, f.Message)
	}
	return tw.Flush()
}

// Check compares t with inv and returns the findings; it changes nothing. A required secret
// that is missing, an expired secret, and a value that does not (or cannot be shown to)
// match its pattern are errors; a missing optional secret is info.
func Check(t *Template, inv Inventory) Report {
	_, rep := plan(t, inv, false)
	return rep
}

// checkExisting reports the findings about a secret that exists.
func checkExisting(s Secret, st State) []Finding {
	var out []Finding
	if st.Expired {
		out = append(out, Finding{s.Name, Error, Expired, "secret has expired"})
	}
	if s.Pattern == nil {
		return out
	}
	if st.Match == nil {
		return append(out, Finding{s.Name, Error, PatternUnverified, "cannot read the value to check it against the pattern"})
	}
	ok, err := st.Match(s.Pattern)
	switch {
	case err != nil:
		out = append(out, Finding{s.Name, Error, PatternUnverified, "cannot check the pattern: " + err.Error()})
	case !ok:
		out = append(out, Finding{s.Name, Error, PatternMismatch, fmt.Sprintf("value does not match the pattern %s", s.PatternText)})
	}
	return out
}

// CheckValue tests a value about to be stored for s against its pattern. The error names the
// secret and pattern, never the value.
func (s Secret) CheckValue(value []byte) error {
	if s.Pattern != nil && !s.Pattern.Match(value) {
		return errs.New(errs.Input, "the value for %s does not match its template pattern %s", s.Name, s.PatternText)
	}
	return nil
}
