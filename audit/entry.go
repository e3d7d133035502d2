package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// Action names what a principal did. The set is open; these are the ones swiftclaw logs.
type Action string

// Actions swiftclaw records.
const (
	ActionRead     Action = "read"
	ActionRun      Action = "run"
	ActionDeploy   Action = "deploy"
	ActionSet      Action = "set"
	ActionRotate   Action = "rotate"
	ActionRollback Action = "rollback"
	ActionGrant    Action = "grant"
	ActionRevoke   Action = "revoke"
	ActionRemove   Action = "rm"
	ActionEnvSet   Action = "env-set"
	ActionEnvUnset Action = "env-unset"
)

// IsRead reports whether a reveals a secret value to the caller (read, run, deploy), as
// opposed to changing the repository, which git history already records.
func (a Action) IsRead() bool {
	return a == ActionRead || a == ActionRun || a == ActionDeploy
}

// Entry is one audited action. Its JSON field order is its canonical form: the hash chain
// is computed over json.Marshal of the entry with Hash empty. It has no field for a value
// and must never be given one through Command (see [RedactArgs]).
type Entry struct {
	Seq       uint64    `json:"seq"`
	Time      time.Time `json:"time"` // UTC; encodes as RFC 3339 with nanoseconds
	Principal string    `json:"principal"`
	Action    Action    `json:"action"`
	Agent     string    `json:"agent,omitempty"`
	Secret    string    `json:"secret,omitempty"`
	Version   int       `json:"version,omitempty"`
	Host      string    `json:"host,omitempty"`
	Command   []string  `json:"command,omitempty"`
	Prev      string    `json:"prev"`
	Hash      string    `json:"hash,omitempty"`
}

// Chain continues a hash chain: it holds the last entry's seq and hash. The zero Chain
// starts a new log.
type Chain struct {
	Seq  uint64
	Hash string
}

// Seal numbers e as the next entry, links it to the chain, computes its hash, advances
// the chain and returns the sealed entry and its JSON line (without the newline).
func (c *Chain) Seal(e Entry) (Entry, []byte, error) {
	e.Seq = c.Seq + 1
	e.Prev = c.Hash
	sealed, line, err := seal(e)
	if err != nil {
		return Entry{}, nil, err
	}
	c.Seq, c.Hash = sealed.Seq, sealed.Hash
	return sealed, line, nil
}

// seal fills e.Hash and returns the line. The line is the canonical bytes with the hash
// field spliced in before the closing brace, which is exactly json.Marshal of the sealed
// entry because Hash is the last field (Verify relies on that equality).
func seal(e Entry) (Entry, []byte, error) {
	e.Time = e.Time.UTC()
	e.Hash = ""
	canon, err := json.Marshal(e)
	if err != nil {
		return Entry{}, nil, err
	}
	sum := sha256.Sum256(canon)
	e.Hash = hex.EncodeToString(sum[:])
	line := make([]byte, 0, len(canon)+len(hashField)+len(e.Hash)+2)
	line = append(line, canon[:len(canon)-1]...)
	line = append(line, hashField...)
	line = append(line, e.Hash...)
	line = append(line, `"}`...)
	return e, line, nil
}

const hashField = `,"hash":"`

// splitSealed splits a sealed line into its canonical bytes, minus the closing brace,
// and the hash the line claims; ok is false when the line does not end that way.
// The canonical bytes are body + "}".
func splitSealed(line []byte) (body []byte, claimed string, ok bool) {
	const tail = len(hashField) + 64 + 2
	n := len(line)
	if n < tail+2 || string(line[n-tail:n-tail+len(hashField)]) != hashField || string(line[n-2:]) != `"}` {
		return nil, "", false
	}
	return line[:n-tail], string(line[n-66 : n-2]), true
}

// canonicalHash hashes body + "}" without copying the line.
func canonicalHash(body []byte) string {
	h := sha256.New()
	h.Write(body)
	h.Write([]byte{'}'})
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0]))
}
