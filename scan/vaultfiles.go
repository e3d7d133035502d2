package scan

import (
	"bytes"
	"encoding/base64"
	"io"
	"regexp"
	"strconv"
	"strings"

	"filippo.io/age"
	"filippo.io/age/armor"
	"gopkg.in/yaml.v3"
)

// vaultKind says which swiftclaw file a path is, if any.
type vaultKind int

const (
	notVault vaultKind = iota
	secretFile
	envFile
	fingerprintFile
)

// classify recognises swiftclaw's protected files by their repository-relative path:
// .swiftclaw/agents/<agent>/secrets/<name>.yaml, .swiftclaw/agents/<agent>/env.yaml and
// .swiftclaw/agents/<agent>/fingerprints.yaml.
func classify(path string) vaultKind {
	p := strings.Split(path, "/")
	if len(p) < 4 || p[0] != ".swiftclaw" || p[1] != "agents" || p[2] == "" {
		return notVault
	}
	switch {
	case len(p) == 5 && p[3] == "secrets" && strings.HasSuffix(p[4], ".yaml") && len(p[4]) > len(".yaml"):
		return secretFile
	case len(p) == 4 && p[3] == "env.yaml":
		return envFile
	case len(p) == 4 && p[3] == FingerprintFileName:
		return fingerprintFile
	}
	return notVault
}

// maxVaultFile caps how much of a swiftclaw file is read for verification.
const maxVaultFile = 64 << 20

// vaultCheck is the outcome of verifying one swiftclaw file.
type vaultCheck struct {
	protected map[int]bool // 1-based lines holding verified ciphertext or fingerprints
	bad       []badValue   // values that are not in their protected form
	malformed int          // > 0: the file is not valid YAML; the line of the error (or 1)
}

type badValue struct {
	line  int
	key   string // which field, e.g. "value" or "vars.DATABASE_URL"
	value string // the offending text; only ever shown redacted
}

// checkVaultFile verifies every protected value in a swiftclaw file of the given kind.
// Only lines of verified armored age ciphertext (and well-formed fingerprint lines) are
// marked protected; every other line stays subject to the rules.
func checkVaultFile(kind vaultKind, content []byte) vaultCheck {
	vc := vaultCheck{protected: map[int]bool{}}
	lines := strings.SplitAfter(string(content), "\n")

	// Text pass: find armor blocks, verify each, protect their lines.
	for i := 0; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != armor.Header {
			continue
		}
		end := -1
		var block strings.Builder
		for j := i; j < len(lines); j++ {
			t := strings.TrimSpace(lines[j])
			block.WriteString(t + "\n")
			if t == armor.Footer {
				end = j
				break
			}
		}
		if end < 0 {
			break
		}
		if isAgeArmor(block.String()) {
			for j := i; j <= end; j++ {
				vc.protected[j+1] = true
			}
		}
		i = end
	}

	// Structure pass: every value that must be ciphertext is.
	var doc yaml.Node
	if err := yaml.Unmarshal(content, &doc); err != nil {
		vc.malformed = yamlErrorLine(err)
		return vc
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		if len(bytes.TrimSpace(content)) > 0 {
			vc.malformed = 1
		}
		return vc
	}
	top := doc.Content[0]
	switch kind {
	case secretFile:
		if v := mapValue(top, "value"); v != nil {
			vc.checkAge("value", v)
		}
	case envFile:
		if vars := mapValue(top, "vars"); vars != nil {
			if vars.Kind != yaml.MappingNode {
				vc.bad = append(vc.bad, badValue{vars.Line, "vars", nodeText(vars)})
				break
			}
			for i := 0; i+1 < len(vars.Content); i += 2 {
				vc.checkAge("vars."+vars.Content[i].Value, vars.Content[i+1])
			}
		}
	case fingerprintFile:
		if v := mapValue(top, "salt"); v != nil {
			vc.checkBase64Key("salt", v)
		}
		if vals := mapValue(top, "values"); vals != nil && vals.Kind == yaml.SequenceNode {
			for _, e := range vals.Content {
				if e.Kind != yaml.MappingNode {
					continue
				}
				if v := mapValue(e, "hmac"); v != nil {
					vc.checkBase64Key("hmac", v)
				}
			}
		}
	}
	return vc
}

func (vc *vaultCheck) checkAge(key string, v *yaml.Node) {
	if v.Kind == yaml.ScalarNode && isAgeArmor(v.Value) {
		return
	}
	vc.bad = append(vc.bad, badValue{valueLine(v), key, nodeText(v)})
}

// checkBase64Key accepts a plain one-line scalar holding 32 bytes of base64, and protects
// its line: fingerprint salts and HMACs look like credentials to generic rules.
func (vc *vaultCheck) checkBase64Key(key string, v *yaml.Node) {
	if v.Kind == yaml.ScalarNode && !strings.Contains(v.Value, "\n") {
		if b, err := base64.StdEncoding.DecodeString(v.Value); err == nil && len(b) == 32 {
			vc.protected[v.Line] = true
			return
		}
	}
	vc.bad = append(vc.bad, badValue{valueLine(v), key, nodeText(v)})
}

// isAgeArmor reports whether s is well-formed armored age ciphertext: the armor decodes
// strictly, the header has the age-encryption.org/v1 intro, at least one recipient stanza
// and a MAC line, and a payload (16-byte nonce and at least one 16-byte tag) follows.
// It cannot check the MAC or payload without a key: that is the vault's job on read.
func isAgeArmor(s string) bool {
	data, err := io.ReadAll(io.LimitReader(armor.NewReader(strings.NewReader(s)), maxVaultFile))
	if err != nil {
		return false
	}
	if _, err := age.ExtractHeader(bytes.NewReader(data)); err != nil {
		return false
	}
	// The header ends with the MAC line "--- <mac>\n"; stanza bodies are base64 and
	// cannot contain "\n--- ".
	i := bytes.Index(data, []byte("\n--- "))
	if i < 0 {
		return false
	}
	nl := bytes.IndexByte(data[i+1:], '\n')
	if nl < 0 {
		return false
	}
	return len(data)-(i+1+nl+1) >= 32
}

func mapValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// valueLine is the line where a scalar's text starts: block scalars begin on the line
// after their | or > indicator.
func valueLine(v *yaml.Node) int {
	if v.Kind == yaml.ScalarNode && v.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return v.Line + 1
	}
	return v.Line
}

func nodeText(v *yaml.Node) string {
	if v.Kind == yaml.ScalarNode {
		return v.Value
	}
	b, _ := yaml.Marshal(v)
	return string(b)
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

func yamlErrorLine(err error) int {
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		if n, _ := strconv.Atoi(m[1]); n > 0 {
			return n
		}
	}
	return 1
}

// blankLines replaces the protected lines of a fragment starting at file line start with
// empty lines, keeping line numbers.
func blankLines(raw string, start int, protected map[int]bool) string {
	if len(protected) == 0 {
		return raw
	}
	var b strings.Builder
	b.Grow(len(raw))
	n := start
	for line := range strings.Lines(raw) {
		if protected[n] {
			if strings.HasSuffix(line, "\n") {
				b.WriteByte('\n')
			}
		} else {
			b.WriteString(line)
		}
		n++
	}
	return b.String()
}
