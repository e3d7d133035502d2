// Package ghenv reads a $GITHUB_ENV file exactly as the GitHub Actions runner does
// (actions/runner, src/Runner.Worker/FileCommandManager.cs, SetEnvFileCommand, Linux
// line endings). Tests use it to prove that what swiftclaw appends is what a job sees.
package ghenv

import (
	"fmt"
	"strings"
)

// Parse returns the variables a runner would set from text, or the error it would raise.
// Lines split on LF only; a line is NAME=VALUE when '=' comes before any "<<", otherwise
// NAME<<DELIMITER followed by value lines up to one equal to DELIMITER, the value excluding
// the newline before the delimiter. Empty lines are skipped.
func Parse(text string) (map[string]string, error) {
	out := map[string]string{}
	index := 0
	readLine := func() (line, newline string, ok bool) {
		if index >= len(text) {
			return "", "", false
		}
		start := index
		lf := strings.IndexByte(text[index:], '\n')
		if lf < 0 {
			index = len(text)
			return text[start:], "", true
		}
		index = start + lf + 1
		return text[start : start+lf], "\n", true
	}
	for {
		line, _, ok := readLine()
		if !ok {
			return out, nil
		}
		if line == "" {
			continue
		}
		eq := strings.Index(line, "=")
		hd := strings.Index(line, "<<")
		switch {
		case eq >= 0 && (hd < 0 || eq < hd):
			name, value, _ := strings.Cut(line, "=")
			out[name] = value
		case hd >= 0 && (eq < 0 || hd < eq):
			name, delim, _ := strings.Cut(line, "<<")
			if name == "" || delim == "" {
				return nil, fmt.Errorf("invalid environment variable format %q: name and delimiter must not be empty", line)
			}
			start, end := index, index
			for {
				l, nl, ok := readLine()
				if !ok {
					return nil, fmt.Errorf("invalid environment variable value: matching delimiter not found %q", delim)
				}
				if l == delim {
					break
				}
				end = index - len(nl)
			}
			value := ""
			if end > start {
				value = text[start:end]
			}
			out[name] = value
		default:
			return nil, fmt.Errorf("invalid environment variable format %q", line)
		}
	}
}
