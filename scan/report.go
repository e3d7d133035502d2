package scan

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime/debug"
	"strconv"
	"text/tabwriter"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// WriteTable writes findings as an aligned table: FILE:LINE, RULE, COMMIT (history scans
// only) and the redacted SECRET. A managed-secret finding names the secret in RULE.
func WriteTable(w io.Writer, res *Result) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	history := res.Mode == ModeHistory
	if history {
		fmt.Fprintln(tw, "FILE:LINE\tRULE\tCOMMIT\tSECRET")
	} else {
		fmt.Fprintln(tw, "FILE:LINE\tRULE\tSECRET")
	}
	for _, f := range res.Findings {
		loc := f.File + ":" + strconv.Itoa(f.Line)
		if history {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", loc, ruleLabel(f), shortCommit(f.Commit), f.Redacted)
		} else {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", loc, ruleLabel(f), f.Redacted)
		}
	}
	return writeErr(tw.Flush())
}

func ruleLabel(f Finding) string {
	if f.Managed != "" {
		return f.RuleID + " (" + f.Managed + ")"
	}
	return f.RuleID
}

func shortCommit(c string) string {
	if len(c) > 12 {
		return c[:12]
	}
	return c
}

// WriteJSON writes the result as one JSON object: mode, findings, counts.
func WriteJSON(w io.Writer, res *Result) error {
	out := *res
	if out.Findings == nil {
		out.Findings = []Finding{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return writeErr(enc.Encode(out))
}

// WriteBlocked writes what a blocked commit (or a failed --check) shows: one
// "Error: Potential secret detected in FILE" line per finding with its line, rule and
// redacted secret, then how to allow a false positive.
func WriteBlocked(w io.Writer, res *Result) error {
	for _, f := range res.Findings {
		var err error
		switch {
		case f.Managed != "":
			_, err = fmt.Fprintf(w, "Error: Managed secret %s detected in %s (line %d, rule %s): %s\n", f.Managed, f.File, f.Line, f.RuleID, f.Redacted)
		case f.Commit != "":
			_, err = fmt.Fprintf(w, "Error: Potential secret detected in %s (line %d, commit %s, rule %s): %s\n", f.File, f.Line, shortCommit(f.Commit), f.RuleID, f.Redacted)
		default:
			_, err = fmt.Fprintf(w, "Error: Potential secret detected in %s (line %d, rule %s): %s\n", f.File, f.Line, f.RuleID, f.Redacted)
		}
		if err != nil {
			return writeErr(err)
		}
	}
	if len(res.Findings) == 0 {
		return nil
	}
	_, err := fmt.Fprintf(w, "\nIf a finding is a false positive, add a `gitleaks:allow` comment to its line,\n"+
		"or add its fingerprint as a line to %s, e.g.:\n    %s\n", GitleaksIgnoreFile, res.Findings[0].Fingerprint)
	return writeErr(err)
}

func writeErr(err error) error {
	if err != nil {
		return errs.Wrap(errs.Internal, err, "write report")
	}
	return nil
}

// SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/), the subset code-scanning
// services read. No snippet is included: it would carry the secret.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name            string      `json:"name"`
	SemanticVersion string      `json:"semanticVersion,omitempty"`
	InformationURI  string      `json:"informationUri,omitempty"`
	Rules           []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID               string       `json:"id"`
	ShortDescription sarifMessage `json:"shortDescription"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifMessage      `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints,omitempty"`
	Properties          map[string]string `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           sarifRegion   `json:"region"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
	EndLine     int `json:"endLine,omitempty"`
	EndColumn   int `json:"endColumn,omitempty"`
}

// WriteSARIF writes the result as a SARIF 2.1.0 log for code-scanning upload.
func WriteSARIF(w io.Writer, res *Result) error {
	driver := sarifDriver{Name: "swiftclaw", InformationURI: "https://github.com/swiftclaw/swiftclaw", Rules: []sarifRule{}}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		driver.SemanticVersion = bi.Main.Version
	}
	index := map[string]int{}
	for _, r := range res.Rules {
		index[r.ID] = len(driver.Rules)
		driver.Rules = append(driver.Rules, sarifRule{ID: r.ID, ShortDescription: sarifMessage{r.Description}})
	}
	results := []sarifResult{}
	for _, f := range res.Findings {
		i, ok := index[f.RuleID]
		if !ok {
			i = len(driver.Rules)
			index[f.RuleID] = i
			driver.Rules = append(driver.Rules, sarifRule{ID: f.RuleID, ShortDescription: sarifMessage{f.Description}})
		}
		msg := fmt.Sprintf("%s: %s in %s", f.RuleID, f.Description, f.File)
		props := map[string]string{"secret": f.Redacted}
		if f.Commit != "" {
			msg += " at commit " + f.Commit
			props["commit"] = f.Commit
		}
		if f.Managed != "" {
			props["managed"] = f.Managed
		}
		results = append(results, sarifResult{
			RuleID:    f.RuleID,
			RuleIndex: i,
			Level:     "error",
			Message:   sarifMessage{msg},
			Locations: []sarifLocation{{sarifPhysical{
				ArtifactLocation: sarifArtifact{URI: f.File},
				Region:           sarifRegion{StartLine: max(f.Line, 1), StartColumn: f.Column, EndLine: f.EndLine, EndColumn: f.EndColumn},
			}}},
			PartialFingerprints: map[string]string{"gitleaksFingerprint/v1": f.Fingerprint},
			Properties:          props,
		})
	}
	log := sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs:    []sarifRun{{Tool: sarifTool{Driver: driver}, Results: results}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return writeErr(enc.Encode(log))
}
