package dotenv

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// Marshal writes entries as a .env file, one KEY=value statement each, in order.
// Every value reads back byte for byte through Parse and through godotenv; a value that no
// quoting carries that way (see Quote) is an errs.Input error naming its key.
func Marshal(entries []Entry) ([]byte, error) {
	var b bytes.Buffer
	for _, e := range entries {
		if !ValidKey(e.Key) {
			return nil, errs.New(errs.Input, "%q is not a valid environment variable name", e.Key).
				WithHint("use letters, digits and '_', not starting with a digit")
		}
		q, err := Quote(e.Value)
		if err != nil {
			return nil, errs.Wrap(errs.Input, err, "cannot write %s to a .env file", e.Key)
		}
		b.WriteString(e.Key)
		b.WriteByte('=')
		b.WriteString(q)
		b.WriteByte('\n')
	}
	return b.Bytes(), nil
}

// plainByte reports whether c may appear in an unquoted value.
func plainByte(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	// No shell metacharacters, so the file also survives `set -a; . ./file`, except the
	// backslash, which dotenv parsers keep literally and which lets a value ending in one be
	// written at all.
	return strings.IndexByte("_-.,:/@%+=^\\", c) >= 0
}

// Quote returns value as it should appear after KEY= in a .env file. It uses, in order:
// no quotes for plain values, single quotes (no escapes) when the value has no ' or CR and
// does not end in a backslash, and double quotes with \\ \" \n \r \$ escapes otherwise.
// godotenv cannot read a double-quoted value ending in '"' or '\\', so a value that needs
// double quotes and ends that way is refused, as is a value with a NUL byte or invalid UTF-8
// (neither survives as an environment variable). Errors never contain the value.
func Quote(value []byte) (string, error) {
	if bytes.IndexByte(value, 0) >= 0 {
		return "", errs.New(errs.Input, "the value contains a NUL byte, which no environment variable can hold")
	}
	if !utf8.Valid(value) {
		return "", errs.New(errs.Input, "the value is not valid UTF-8; .env files are text").
			WithHint("use --target json or --target kubernetes, which carry binary values")
	}
	if len(value) > 0 && isPlain(value) {
		return string(value), nil
	}
	last := byte(0)
	if len(value) > 0 {
		last = value[len(value)-1]
	}
	// Single quotes carry no escapes, so they cannot hold a quote, a carriage return (parsers
	// turn CRLF into LF before reading) or a final backslash (godotenv reads \' as escaped).
	if bytes.IndexByte(value, '\'') < 0 && bytes.IndexByte(value, '\r') < 0 && last != '\\' {
		return "'" + string(value) + "'", nil
	}
	if last == '\\' || last == '"' {
		return "", errs.New(errs.Input, "the value needs quoting and ends in a backslash or double quote; no quoting makes common .env parsers read it back unchanged").
			WithHint("use --target json or --target kubernetes for this value")
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, c := range value {
		switch c {
		case '\\', '"', '$':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String(), nil
}

func isPlain(value []byte) bool {
	for _, c := range value {
		if !plainByte(c) {
			return false
		}
	}
	return true
}
