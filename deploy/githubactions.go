package deploy

import (
	"bytes"
	"encoding/hex"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// encodeGitHubEnv renders vars in the runner's heredoc syntax,
//
//	NAME<<DELIMITER
//	value
//	DELIMITER
//
// for every value, single-line ones included: a write cut short then leaves an unterminated
// heredoc, which the runner rejects, instead of a silently truncated NAME=value line.
// Each delimiter is random and checked not to occur in its value.
func encodeGitHubEnv(vars []Var, rnd io.Reader) ([]byte, error) {
	var b bytes.Buffer
	for _, v := range vars {
		if err := checkEnvValue(v); err != nil {
			return nil, err
		}
		if !utf8.Valid(v.Value) {
			return nil, errs.New(errs.Input, "value of %s is not valid UTF-8; the runner reads $GITHUB_ENV as text", v.label()).
				WithHint("store the value base64-encoded, or use --target json --encoding base64")
		}
		delim, err := heredocDelimiter(v.Value, rnd)
		if err != nil {
			return nil, err
		}
		b.WriteString(v.Name + "<<" + delim + "\n")
		b.Write(v.Value)
		b.WriteString("\n" + delim + "\n")
	}
	return b.Bytes(), nil
}

func heredocDelimiter(value []byte, rnd io.Reader) (string, error) {
	for range 8 {
		var buf [16]byte
		if _, err := io.ReadFull(rnd, buf[:]); err != nil {
			return "", errs.Wrap(errs.Internal, err, "read random delimiter")
		}
		d := "SWIFTCLAW_EOF_" + hex.EncodeToString(buf[:])
		if !bytes.Contains(value, []byte(d)) {
			return d, nil
		}
	}
	return "", errs.New(errs.Internal, "could not choose a heredoc delimiter absent from the value")
}

// maskCommands returns the workflow commands that register every value, and every
// non-empty line of a multi-line value, as a secret the runner masks in logs.
func maskCommands(vars []Var) []byte {
	var b bytes.Buffer
	seen := map[string]bool{}
	add := func(s string) {
		if strings.TrimSpace(s) == "" || seen[s] {
			return
		}
		seen[s] = true
		b.WriteString("::add-mask::" + escapeCommandData(s) + "\n")
	}
	for _, v := range vars {
		s := string(v.Value)
		add(s)
		if strings.ContainsAny(s, "\r\n") {
			for _, line := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }) {
				add(line)
			}
		}
	}
	return b.Bytes()
}

// escapeCommandData escapes a workflow command's data the way @actions/core does, so a
// value containing %0A or a newline is registered exactly.
func escapeCommandData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// writeGitHubEnv emits the mask commands first, so values are masked before the runner can
// ever print them, then appends to $GITHUB_ENV.
//
// Unlike the other file targets this appends in place with one write instead of replacing
// the file: the runner owns that file and reads it by path after the step, and replacing it
// from inside a container job (running as root) would leave a file the runner's user cannot
// read. An interrupted write leaves an unterminated heredoc, which the runner rejects.
func writeGitHubEnv(vars []Var, opts Options) error {
	data, err := encodeGitHubEnv(vars, randReader(opts.Rand))
	if err != nil {
		return err
	}
	if _, err := opts.Stdout.Write(maskCommands(vars)); err != nil {
		return errs.Wrap(errs.Internal, err, "write ::add-mask:: commands")
	}
	f, err := os.OpenFile(opts.GitHubEnv, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return errs.Wrap(errs.Internal, err, "open GITHUB_ENV file")
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return errs.Wrap(errs.Internal, err, "append to GITHUB_ENV file")
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return errs.Wrap(errs.Internal, err, "append to GITHUB_ENV file")
	}
	if err := f.Close(); err != nil {
		return errs.Wrap(errs.Internal, err, "append to GITHUB_ENV file")
	}
	return nil
}
