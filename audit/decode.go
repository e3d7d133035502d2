package audit

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"
)

// decodeForQuery fills the fields a query shows. Lines in the layout swiftclaw writes
// (known keys, strings without escapes) are read by a small scanner; anything else goes
// through encoding/json, which gives the same result more slowly.
func decodeForQuery(line []byte, e *Entry) error {
	if quickDecode(line, e) {
		return nil
	}
	*e = Entry{}
	return json.Unmarshal(line, (*queryEntry)(e))
}

// queryEntry decodes an Entry without Command, Prev and Hash, which queries do not show.
type queryEntry struct {
	Seq       uint64    `json:"seq"`
	Time      time.Time `json:"time"`
	Principal string    `json:"principal"`
	Action    Action    `json:"action"`
	Agent     string    `json:"agent,omitempty"`
	Secret    string    `json:"secret,omitempty"`
	Version   int       `json:"version,omitempty"`
	Host      string    `json:"host,omitempty"`
	Command   []string  `json:"-"`
	Prev      string    `json:"-"`
	Hash      string    `json:"-"`
}

func quickDecode(line []byte, e *Entry) bool {
	if len(line) < 2 || line[0] != '{' || line[len(line)-1] != '}' {
		return false
	}
	p := line[1 : len(line)-1]
	for len(p) > 0 {
		key, rest, ok := quickString(p)
		if !ok || len(rest) == 0 || rest[0] != ':' {
			return false
		}
		p = rest[1:]
		switch k := string(key); k {
		case "seq", "version":
			i := 0
			for i < len(p) && p[i] >= '0' && p[i] <= '9' {
				i++
			}
			if i == 0 || i > 1 && p[0] == '0' {
				return false
			}
			n, err := strconv.ParseUint(string(p[:i]), 10, 31) // larger numbers take the slow path
			if err != nil {
				return false
			}
			if k == "seq" {
				e.Seq = n
			} else {
				e.Version = int(n)
			}
			p = p[i:]
		case "command":
			if p, ok = skipStrings(p); !ok {
				return false
			}
		default:
			v, rest, ok := quickString(p)
			if !ok {
				return false
			}
			p = rest
			if k == "time" {
				if e.Time.UnmarshalText(v) != nil {
					return false
				}
			} else if f := stringField(e, k); f != nil {
				*f = string(v)
			} else if k != "prev" && k != "hash" {
				return false
			}
		}
		if len(p) == 0 {
			break
		}
		if p[0] != ',' || len(p) == 1 {
			return false
		}
		p = p[1:]
	}
	return true
}

// skipStrings skips an array of plain strings at the start of p.
func skipStrings(p []byte) ([]byte, bool) {
	if len(p) < 2 || p[0] != '[' {
		return nil, false
	}
	if p[1] == ']' {
		return p[2:], true
	}
	p = p[1:]
	for {
		_, rest, ok := quickString(p)
		if !ok || len(rest) == 0 {
			return nil, false
		}
		switch rest[0] {
		case ']':
			return rest[1:], true
		case ',':
			p = rest[1:]
		default:
			return nil, false
		}
	}
}

func stringField(e *Entry, key string) *string {
	switch key {
	case "principal":
		return &e.Principal
	case "action":
		return (*string)(&e.Action)
	case "agent":
		return &e.Agent
	case "secret":
		return &e.Secret
	case "host":
		return &e.Host
	}
	return nil
}

// quickString reads a JSON string of plain printable ASCII at the start of p.
func quickString(p []byte) (s, rest []byte, ok bool) {
	if len(p) == 0 || p[0] != '"' {
		return nil, nil, false
	}
	end := bytes.IndexByte(p[1:], '"')
	if end < 0 || !plain(p[1:1+end]) {
		return nil, nil, false
	}
	return p[1 : 1+end], p[2+end:], true
}

// plain reports whether b is printable ASCII without backslashes: JSON text that
// means exactly its bytes.
func plain(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c > 0x7e || c == '\\' {
			return false
		}
	}
	return true
}
