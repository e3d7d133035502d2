package scan

import (
	"cmp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/zricethezav/gitleaks/v8/report"
)

// Rule IDs of the findings swiftclaw adds to gitleaks' own.
const (
	// ManagedRuleID marks the plaintext of a secret swiftclaw manages, found by exact value
	// or by keyed fingerprint.
	ManagedRuleID = "swiftclaw-managed-secret"
	// UnencryptedRuleID marks a value in a swiftclaw secret, env or fingerprint file that
	// is not in its protected form (age ciphertext, or a well-formed fingerprint).
	UnencryptedRuleID = "swiftclaw-unencrypted-value"
	// MalformedRuleID marks a swiftclaw secret, env or fingerprint file that is not valid
	// YAML (for example one left with merge-conflict markers), so its values could not be
	// verified.
	MalformedRuleID = "swiftclaw-malformed-file"
)

// managedTag carries the managed secret's name through gitleaks' report.Finding.
const managedTag = "swiftclaw-managed:"

// Finding is one potential secret. It never holds the secret itself: only Redacted,
// which shows at most the first four characters.
type Finding struct {
	File        string   `json:"file"`
	Line        int      `json:"line"`
	EndLine     int      `json:"end_line"`
	Column      int      `json:"column"`
	EndColumn   int      `json:"end_column"`
	RuleID      string   `json:"rule"`
	Description string   `json:"description"`
	Commit      string   `json:"commit,omitempty"` // history scans only
	Author      string   `json:"author,omitempty"`
	Email       string   `json:"email,omitempty"`
	Date        string   `json:"date,omitempty"`
	Redacted    string   `json:"secret"`
	Fingerprint string   `json:"fingerprint"`       // gitleaks-compatible: a .gitleaksignore line
	Managed     string   `json:"managed,omitempty"` // the managed secret's name, for ManagedRuleID
	Tags        []string `json:"tags,omitempty"`
}

// Redact returns secret with at most its first four characters visible, followed by a
// fixed mask so the length is not revealed. Shorter secrets show fewer characters (a
// quarter of them), so a short password is never mostly printed.
func Redact(secret string) string {
	secret = strings.TrimSpace(secret)
	if i := strings.IndexAny(secret, "\r\n"); i >= 0 {
		secret = secret[:i]
	}
	n := min(4, utf8.RuneCountInString(secret)/4)
	return string([]rune(secret)[:n]) + "*****"
}

func fromReport(f report.Finding) Finding {
	out := Finding{
		File:        f.File,
		Line:        f.StartLine,
		EndLine:     f.EndLine,
		Column:      f.StartColumn,
		EndColumn:   f.EndColumn,
		RuleID:      f.RuleID,
		Description: f.Description,
		Commit:      f.Commit,
		Author:      f.Author,
		Email:       f.Email,
		Date:        f.Date,
		Redacted:    Redact(f.Secret),
		Fingerprint: f.Fingerprint,
	}
	if f.SymlinkFile != "" {
		out.File = f.SymlinkFile
	}
	for _, t := range f.Tags {
		if name, ok := strings.CutPrefix(t, managedTag); ok {
			out.Managed = name
			continue
		}
		out.Tags = append(out.Tags, t)
	}
	return out
}

func sortFindings(fs []Finding) {
	slices.SortFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Column, b.Column),
			cmp.Compare(a.RuleID, b.RuleID),
			cmp.Compare(a.Commit, b.Commit),
		)
	})
}
