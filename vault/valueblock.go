package vault

import (
	"bytes"
	"strings"
)

// A secret's armored value is by far the largest part of its file (a 10 MiB value armors
// to ~14 MiB), and yaml.v3 scans and emits block scalars a byte at a time. So the value
// is written last, as a literal block, by hand, and read back the same way when the file
// has that shape; any other shape falls back to the full YAML parser.

// splitValueBlock splits data into the YAML before a final top-level `value: |` literal
// block and the block's content. ok is false when the file does not have that shape.
func splitValueBlock(data []byte) (head []byte, value string, ok bool) {
	idx := -1
	for _, marker := range [][]byte{[]byte("\nvalue: |\n"), []byte("\nvalue: |-\n")} {
		if i := bytes.LastIndex(data, marker); i >= 0 {
			idx = i + 1
			break
		}
	}
	if idx < 0 {
		return nil, "", false
	}
	head = data[:idx]
	rest := data[idx:]
	nl := bytes.IndexByte(rest, '\n')
	strip := bytes.HasPrefix(rest, []byte("value: |-"))
	body := string(rest[nl+1:])
	lines := strings.Split(body, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	indent := ""
	for _, l := range lines {
		if strings.TrimSpace(l) != "" {
			indent = l[:len(l)-len(strings.TrimLeft(l, " "))]
			break
		}
	}
	if indent == "" {
		return nil, "", false
	}
	var b strings.Builder
	b.Grow(len(body))
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, indent):
			b.WriteString(l[len(indent):])
		case strings.TrimSpace(l) == "":
		default:
			return nil, "", false // a less-indented line: not the last key after all
		}
		b.WriteByte('\n')
	}
	value = strings.TrimRight(b.String(), "\n")
	if !strip {
		value += "\n" // "|" clips to exactly one final newline
	}
	return head, value, true
}

// appendValueBlock renders `value: |` with v indented by two spaces. v is armored age
// text: ASCII lines, no trailing spaces, so a literal block holds it exactly.
func appendValueBlock(buf []byte, v string) []byte {
	indicator := "|"
	if !strings.HasSuffix(v, "\n") {
		indicator = "|-"
	}
	buf = append(buf, "value: "+indicator+"\n"...)
	for _, l := range strings.Split(strings.TrimSuffix(v, "\n"), "\n") {
		buf = append(buf, "  "...)
		buf = append(buf, l...)
		buf = append(buf, '\n')
	}
	return buf
}
