package dotenv

import (
	"bytes"
	"fmt"
	"io"
	"regexp"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// MaxFileSize caps the input Parse accepts; a .env file larger than this is almost
// certainly not one.
const MaxFileSize = 4 << 20

// Entry is one variable read from a .env file.
type Entry struct {
	Key   string
	Value []byte
	Line  int // 1-based line where the key starts
}

var keyRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// ValidKey reports whether name is a portable environment variable name.
func ValidKey(name string) bool { return keyRe.MatchString(name) }

// Parse reads a .env file. name labels error messages (usually the file path).
// Keys keep their first-seen order; a key repeated with the same value is kept once.
func Parse(r io.Reader, name string) ([]Entry, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, errs.Wrap(errs.Input, err, "read %s", name)
	}
	if len(data) > MaxFileSize {
		return nil, errs.New(errs.Input, "%s: larger than %d bytes; not a .env file", name, MaxFileSize)
	}
	p := &parser{name: name, src: normalize(data), line: 1}
	return p.parse()
}

// normalize drops a UTF-8 byte-order mark and turns CRLF line endings into LF.
func normalize(data []byte) []byte {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	return bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
}

type parser struct {
	name string
	src  []byte
	pos  int
	line int
}

func (p *parser) errorf(line int, format string, args ...any) error {
	return errs.New(errs.Input, "%s:%d: %s", p.name, line, fmt.Sprintf(format, args...)).
		WithHint("quote the value in single quotes to keep it literal, then run the import again")
}

func (p *parser) eof() bool { return p.pos >= len(p.src) }

func (p *parser) peek() byte { return p.src[p.pos] }

// next consumes one byte, counting lines.
func (p *parser) next() byte {
	c := p.src[p.pos]
	p.pos++
	if c == '\n' {
		p.line++
	}
	return c
}

func (p *parser) skipBlanks() {
	for !p.eof() && (p.peek() == ' ' || p.peek() == '\t') {
		p.pos++
	}
}

func (p *parser) skipToEOL() {
	for !p.eof() && p.peek() != '\n' {
		p.pos++
	}
}

func (p *parser) parse() ([]Entry, error) {
	var out []Entry
	seen := map[string]int{} // key -> index in out
	for {
		p.skipBlanks()
		if p.eof() {
			return out, nil
		}
		switch p.peek() {
		case '\n':
			p.next()
			continue
		case '#':
			p.skipToEOL()
			continue
		}
		e, err := p.entry()
		if err != nil {
			return nil, err
		}
		if i, dup := seen[e.Key]; dup {
			if !bytes.Equal(out[i].Value, e.Value) {
				return nil, p.errorf(e.Line, "%s is defined again with a different value (first on line %d); remove one", e.Key, out[i].Line)
			}
			continue
		}
		seen[e.Key] = len(out)
		out = append(out, e)
	}
}

func isKeyByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

// entry parses one KEY=value statement starting at a non-blank, non-comment byte.
func (p *parser) entry() (Entry, error) {
	line := p.line
	if bytes.HasPrefix(p.src[p.pos:], []byte("export")) {
		rest := p.src[p.pos+len("export"):]
		if len(rest) > 0 && (rest[0] == ' ' || rest[0] == '\t') {
			p.pos += len("export")
			p.skipBlanks()
		}
	}
	start := p.pos
	for !p.eof() && isKeyByte(p.peek()) {
		p.pos++
	}
	key := string(p.src[start:p.pos])
	p.skipBlanks()
	if p.eof() || p.peek() != '=' {
		if key == "" {
			return Entry{}, p.errorf(line, "expected KEY=value")
		}
		return Entry{}, p.errorf(line, "expected '=' after %s", key)
	}
	if !ValidKey(key) {
		return Entry{}, p.errorf(line, "invalid variable name %q: use letters, digits and '_', not starting with a digit", key)
	}
	p.pos++ // '='
	p.skipBlanks()
	var val []byte
	var err error
	if p.eof() {
		return Entry{Key: key, Value: []byte{}, Line: line}, nil
	}
	switch p.peek() {
	case '\'', '`':
		val, err = p.rawQuoted(key, line)
	case '"':
		val, err = p.doubleQuoted(key, line)
	default:
		return p.unquoted(key, line)
	}
	if err != nil {
		return Entry{}, err
	}
	// After a closing quote only blanks and a comment may follow on the line.
	p.skipBlanks()
	if !p.eof() && p.peek() == '#' {
		p.skipToEOL()
	}
	if !p.eof() && p.peek() != '\n' {
		return Entry{}, p.errorf(p.line, "unexpected text after the closing quote of %s", key)
	}
	return Entry{Key: key, Value: val, Line: line}, nil
}

// rawQuoted reads a single- or backtick-quoted value: no escapes, may span lines.
func (p *parser) rawQuoted(key string, line int) ([]byte, error) {
	q := p.next()
	start := p.pos
	for !p.eof() {
		if p.peek() == q {
			val := p.src[start:p.pos]
			p.next()
			// godotenv treats \' as an escaped quote and reads on; refuse rather than guess.
			if len(val) > 0 && val[len(val)-1] == '\\' {
				return nil, p.errorf(line, "value of %s has a backslash before its closing quote; parsers disagree on where it ends", key)
			}
			return append([]byte{}, val...), nil
		}
		p.next()
	}
	return nil, p.errorf(line, "unterminated %c quote in the value of %s", q, key)
}

// doubleQuoted reads a double-quoted value with the escapes every common parser agrees on.
func (p *parser) doubleQuoted(key string, line int) ([]byte, error) {
	p.next()
	val := []byte{}
	for !p.eof() {
		c := p.next()
		switch c {
		case '"':
			return val, nil
		case '\\':
			if p.eof() {
				break
			}
			e := p.next()
			switch e {
			case 'n':
				val = append(val, '\n')
			case 'r':
				val = append(val, '\r')
			case '\\', '"', '$':
				val = append(val, e)
			default:
				return nil, p.errorf(p.line, "escape \\%c in the value of %s means different things to different parsers; use \\n, \\r, \\\\, \\\" or \\$ only", e, key)
			}
		case '$':
			if err := p.checkDollar(key); err != nil {
				return nil, err
			}
			val = append(val, c)
		default:
			val = append(val, c)
		}
	}
	return nil, p.errorf(line, "unterminated \" quote in the value of %s", key)
}

// checkDollar refuses a '$' that some parsers would expand as a variable reference.
func (p *parser) checkDollar(key string) error {
	if p.eof() {
		return nil
	}
	c := p.peek()
	if c == '{' || c == '(' || isKeyByte(c) {
		return p.errorf(p.line, "value of %s contains a variable reference ($...), which some parsers expand and others keep; escape it as \\$ in double quotes or use single quotes", key)
	}
	return nil
}

// unquoted reads the rest of the line as a value, strips a trailing " # comment" and
// refuses anything parsers split, expand or strip differently.
func (p *parser) unquoted(key string, line int) (Entry, error) {
	start := p.pos
	p.skipToEOL()
	raw := p.src[start:p.pos]
	for i := 1; i < len(raw); i++ {
		if raw[i] == '#' && (raw[i-1] == ' ' || raw[i-1] == '\t') {
			raw = raw[:i]
			break
		}
	}
	raw = bytes.TrimRight(raw, " \t")
	for i, c := range raw {
		switch {
		case c == ' ' || c == '\t':
			return Entry{}, p.errorf(line, "unquoted value of %s contains spaces followed by more text; quote it", key)
		case c == '#':
			return Entry{}, p.errorf(line, "unquoted value of %s contains '#', which some parsers read as a comment; quote it", key)
		case c == '\'' || c == '"' || c == '`':
			return Entry{}, p.errorf(line, "unquoted value of %s contains a quote character; quote the whole value", key)
		case c < 0x20 || c == 0x7f:
			return Entry{}, p.errorf(line, "unquoted value of %s contains a control character; quote it", key)
		case c == '$':
			if i+1 < len(raw) && (raw[i+1] == '{' || raw[i+1] == '(' || isKeyByte(raw[i+1])) {
				return Entry{}, p.errorf(line, "value of %s contains a variable reference ($...), which some parsers expand and others keep; use single quotes", key)
			}
		}
	}
	return Entry{Key: key, Value: append([]byte{}, raw...), Line: line}, nil
}
