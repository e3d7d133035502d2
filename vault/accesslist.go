package vault

import (
	"fmt"
	"path"
	"slices"

	"github.com/swiftclaw/swiftclaw/policy"
)

// AccessEntry is one principal's access to one file, from policy.yaml and recipients.yaml,
// compared with the keys the file is actually encrypted to.
type AccessEntry struct {
	// Principal is "user:EMAIL", "service:NAME", or "unknown key age1…" for a recipient no
	// principal holds.
	Principal string `json:"principal"`
	// Secret is the secret's name, or "env" for the agent's env file.
	Secret string `json:"secret"`
	// Permissions are read and/or write; owners have both.
	Permissions []string `json:"permissions"`
	// Owner is true for owners (who read and write everything).
	Owner bool `json:"owner,omitempty"`
	// Grants lists the secret patterns of the grants that give the permissions.
	Grants []string `json:"grants,omitempty"`
	// KeysInFile counts how many of the principal's keys the file is encrypted to, of
	// KeysTotal.
	KeysInFile int `json:"keys_in_file"`
	KeysTotal  int `json:"keys_total"`
	// OK is true when the file agrees with the policy for this principal: a reader has all
	// its keys in the file, anyone else none.
	OK bool `json:"ok"`
}

// CanRead reports whether policy lets the principal read.
func (e AccessEntry) CanRead() bool { return slices.Contains(e.Permissions, policy.Read) }

// Access lists who can read and write agent's secrets and env (only secrets matching
// pattern when it is not ""; the env file is listed for "" and "*"). It reads metadata
// only and never decrypts.
func (s *Store) Access(agent, pattern string) ([]AccessEntry, error) {
	if err := s.requireAgent(agent); err != nil {
		return nil, err
	}
	if pattern != "" {
		if err := validatePattern(pattern); err != nil {
			return nil, err
		}
	}
	rec, pol, err := s.access()
	if err != nil {
		return nil, err
	}
	var out []AccessEntry
	for _, name := range s.secretNames(agent) {
		if ok, _ := path.Match(pattern, name); pattern != "" && !ok {
			continue
		}
		f, err := s.readSecretFile(agent, name)
		if err != nil {
			return nil, err
		}
		out = append(out, accessRows(rec, pol, agent, name, f.Recipients)...)
	}
	if pattern == "" || pattern == "*" {
		f, exists, err := s.readEnvFile(agent)
		if err != nil {
			return nil, err
		}
		if exists {
			out = append(out, accessRows(rec, pol, agent, "", f.Recipients)...)
		}
	}
	return out, nil
}

// accessRows builds the rows for one file: owners, then granted principals, then any
// recipient the policy does not explain.
func accessRows(rec *Recipients, pol *policy.Policy, agent, name string, recipients []string) []AccessEntry {
	var rows []AccessEntry
	seen := map[string]bool{}
	row := func(ref string, keys []string) AccessEntry {
		e := AccessEntry{Principal: ref, Secret: orEnv(name), KeysTotal: len(keys)}
		for _, k := range keys {
			if slices.Contains(recipients, k) {
				e.KeysInFile++
			}
			seen[k] = true
		}
		return e
	}
	for _, p := range rec.Owners() {
		e := row(p.Ref(), p.Keys)
		e.Owner, e.Permissions = true, []string{policy.Read, policy.Write}
		rows = append(rows, e)
	}
	var refs []string
	for _, g := range pol.Grants {
		if g.Matches(agent, name) && !slices.Contains(refs, g.Principal()) {
			refs = append(refs, g.Principal())
		}
	}
	slices.Sort(refs)
	for _, ref := range refs {
		p, known := rec.Lookup(ref)
		if known && p.IsOwner() {
			continue
		}
		e := row(ref, p.Keys)
		for _, g := range pol.Grants {
			if g.Principal() == ref && g.Matches(agent, name) {
				e.Permissions = append(e.Permissions, g.Permissions...)
				e.Grants = append(e.Grants, g.Secret)
			}
		}
		slices.Sort(e.Permissions)
		e.Permissions = slices.Compact(e.Permissions)
		rows = append(rows, e)
	}
	for _, k := range recipients {
		if seen[k] {
			continue
		}
		ref := "unknown key " + shortKey(k)
		keys := []string{k}
		if p, ok := rec.ByKey(k); ok {
			ref, keys = p.Ref(), p.Keys
		}
		e := row(ref, keys)
		e.Permissions = []string{}
		rows = append(rows, e)
	}
	for i := range rows {
		e := &rows[i]
		if e.CanRead() {
			e.OK = e.KeysTotal > 0 && e.KeysInFile == e.KeysTotal
		} else {
			e.OK = e.KeysInFile == 0
		}
	}
	return rows
}

// Describe renders whether the file carries the principal's keys, for tables.
func (e AccessEntry) Describe() string {
	switch {
	case e.KeysTotal == 0:
		return "no (no keys in recipients.yaml)"
	case e.KeysInFile == e.KeysTotal && e.CanRead():
		return "yes"
	case e.KeysInFile == 0 && !e.CanRead():
		return "-"
	case e.KeysInFile == 0:
		return "no"
	case !e.CanRead():
		return "yes (not granted read)"
	}
	return fmt.Sprintf("partial (%d of %d keys)", e.KeysInFile, e.KeysTotal)
}

// access reads recipients.yaml and policy.yaml.
func (s *Store) access() (*Recipients, *policy.Policy, error) {
	rec, err := s.Recipients()
	if err != nil {
		return nil, nil, err
	}
	pol, err := s.Policy()
	return rec, pol, err
}
