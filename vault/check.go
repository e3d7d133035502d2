package vault

import (
	"bufio"
	"os"
	"strings"
	"time"

	"filippo.io/age"
	"filippo.io/age/armor"
	"gopkg.in/yaml.v3"

	"github.com/swiftclaw/swiftclaw/policy"
)

// DefaultRotationDeadline applies when policy.yaml sets no rotation_deadline.
const DefaultRotationDeadline = 7 * 24 * time.Hour

// RotationDeadline returns how long a secret may stay rotation required under pol.
func RotationDeadline(pol *policy.Policy) (time.Duration, error) {
	if pol.RotationDeadline == "" {
		return DefaultRotationDeadline, nil
	}
	return ParseDuration(pol.RotationDeadline)
}

// CheckResult is what CheckPolicy found.
type CheckResult struct {
	Findings []policy.Finding `json:"findings"`
	// Files is how many secret and env files were checked.
	Files int `json:"files"`
}

// CheckPolicy compares the repository with policy.yaml and recipients.yaml without
// decrypting anything (see policy.Check for the rules). Files that do not even parse are
// findings, not errors, so one broken file does not hide the rest.
func (s *Store) CheckPolicy() (*CheckResult, error) {
	rec, pol, err := s.access()
	if err != nil {
		return nil, err
	}
	deadline, err := RotationDeadline(pol)
	if err != nil {
		return nil, err
	}
	st := s.policyState(rec)
	return &CheckResult{
		Findings: policy.Check(pol, st, policy.CheckOptions{Now: s.Now(), RotationDeadline: deadline}),
		Files:    len(st.Files),
	}, nil
}

// Principals returns recipients.yaml's principals as the policy package sees them.
func (r *Recipients) Principals() []policy.Principal {
	var out []policy.Principal
	for _, p := range r.List() {
		out = append(out, policy.Principal{Ref: p.Ref(), Owner: p.IsOwner(), Keys: p.Keys, SigningKeys: p.SigningKeys})
	}
	return out
}

// policyState reads every secret and env file leniently: structure problems become
// File.Malformed and unencrypted values File.Values[].Plaintext, where ParseSecretFile
// would refuse the file outright.
func (s *Store) policyState(rec *Recipients) policy.State {
	st := policy.State{Principals: rec.Principals()}
	for _, agent := range s.agentNames() {
		for _, name := range s.secretNames(agent) {
			p, err := s.secretPath(agent, name)
			if err == nil {
				st.Files = append(st.Files, s.lenientFile(p, agent, name))
			}
		}
		if p, err := s.envPath(agent); err == nil {
			if _, err := os.Lstat(p); err == nil {
				st.Files = append(st.Files, s.lenientFile(p, agent, ""))
			}
		}
	}
	return st
}

func (s *Store) lenientFile(path, agent, name string) policy.File {
	f := policy.File{Path: s.rel(path), Agent: agent, Name: name}
	var raw struct {
		Agent            string            `yaml:"agent"`
		Name             string            `yaml:"name"`
		Recipients       []string          `yaml:"recipients"`
		Value            *string           `yaml:"value"`
		Vars             map[string]string `yaml:"vars"`
		RotationRequired *RotationMark     `yaml:"rotation_required"`
	}
	data, err := readCapped(path)
	if err == nil {
		err = yaml.Unmarshal(data, &raw)
	}
	switch {
	case err != nil:
		f.Malformed = "cannot parse: " + err.Error()
		return f
	case raw.Agent != agent || (name != "" && raw.Name != name):
		f.Malformed = "the file claims to be " + raw.Agent + "/" + orEnv(raw.Name) + ": it was moved or edited by hand"
		return f
	}
	f.Recipients = raw.Recipients
	if raw.RotationRequired != nil {
		f.RotationRequired = &raw.RotationRequired.Since
	}
	if name != "" {
		v := ""
		if raw.Value != nil {
			v = *raw.Value
		}
		f.Values = []policy.Value{valueFacts("value", v, raw.Recipients)}
		return f
	}
	for _, k := range sortedKeys(raw.Vars) {
		f.Values = append(f.Values, valueFacts(k, raw.Vars[k], raw.Recipients))
	}
	return f
}

// valueFacts describes one armored value without decrypting: whether it is encrypted at
// all, and how many recipient stanzas its age header holds.
func valueFacts(key, armored string, recipients []string) policy.Value {
	v := policy.Value{Key: key, Stanzas: -1}
	if checkArmor(armored) != nil {
		v.Plaintext = true
		return v
	}
	for _, r := range recipients {
		if strings.HasPrefix(r, "age1") && !strings.HasPrefix(r, "age1pq1") {
			if _, err := age.ParseX25519Recipient(r); err != nil {
				return v // a plugin recipient may write several stanzas: not comparable
			}
		}
	}
	v.Stanzas = countStanzas(armored)
	return v
}

// countStanzas counts the "-> " lines of an armored age header, -1 if it cannot be read.
func countStanzas(armored string) int {
	sc := bufio.NewScanner(armor.NewReader(strings.NewReader(strings.TrimSpace(armored))))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "-> "):
			n++
		case strings.HasPrefix(line, "---"):
			return n
		}
	}
	return -1
}
