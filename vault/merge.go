package vault

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// MergeInput is what git hands a merge driver for one file: the common ancestor's
// content (empty when both sides added the file), both sides' contents, the file's path
// in the repository, and (when known) the commits that last changed it on each side.
type MergeInput struct {
	Base, Ours, Theirs       []byte
	Path                     string
	OursCommit, TheirsCommit string
}

// MergeConflict is one part of a file changed incompatibly on both sides.
type MergeConflict struct {
	// Field is the YAML key, e.g. "value", "description" or "vars.OPENAI_API_KEY".
	Field  string
	Reason string
}

// MergeResult is a merge's outcome: the merged content, or (with conflicts) both sides
// between git-style conflict markers naming each side's commit.
type MergeResult struct {
	Data      []byte
	Conflicts []MergeConflict
}

// secretUnit are the keys of a secret file that are sealed together: the ciphertexts
// bind agent, name, expiry and recipients, so they change and merge as one.
var secretUnit = []string{"value", "agent", "name", "recipients", "expires", "updated", "previous"}

// MergeFiles merges three versions of a swiftclaw YAML file at the YAML level, the way
// `swiftclaw merge-driver` does for git. Secret files merge metadata field by field and
// treat the sealed value (with what it binds) as one unit; env files merge variable by
// variable, taking a variable's ciphertext only when it was encrypted to the merged
// file's recipients; other files merge key by key. Unchanged ciphertexts are kept byte
// for byte, and nothing is ever decrypted, so a conflict can never put plaintext in the
// file.
func MergeFiles(in MergeInput) (*MergeResult, error) {
	b, errB := mergeRoot(in.Base, true)
	o, errO := mergeRoot(in.Ours, false)
	t, errT := mergeRoot(in.Theirs, false)
	if errB != nil || errO != nil || errT != nil {
		return conflictResult(in, []MergeConflict{{Field: "(file)", Reason: "a side is not valid YAML"}}), nil
	}
	switch {
	case nodeEqual(o, t) || nodeEqual(b, t):
		return &MergeResult{Data: in.Ours}, nil
	case nodeEqual(b, o):
		return &MergeResult{Data: in.Theirs}, nil
	}
	m := &merger{}
	var merged *yaml.Node
	switch kindOfPath(in.Path) {
	case "secret":
		merged = m.mapping(b, o, t, "", [][]string{secretUnit}, nil)
		for i := range m.conflicts {
			if m.conflicts[i].Field == "value" {
				m.conflicts[i].Reason = secretConflictReason(b, o, t)
			}
		}
	case "env":
		merged = m.env(b, o, t)
	default:
		merged = m.mapping(b, o, t, "", nil, nil)
	}
	if len(m.conflicts) > 0 {
		return conflictResult(in, m.conflicts), nil
	}
	// A secret's value goes last, written as marshalSecretFile writes it.
	var value *yaml.Node
	if kindOfPath(in.Path) == "secret" {
		if i := mappingIndex(merged, "value"); i >= 0 && merged.Content[i+1].Kind == yaml.ScalarNode {
			value = merged.Content[i+1]
			merged.Content = slices.Delete(merged.Content, i, i+2)
		}
	}
	data, err := renderDoc(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{merged}, HeadComment: docComment(in.Ours)})
	if err != nil {
		return nil, err
	}
	if value != nil {
		data = appendValueBlock(data, value.Value)
	}
	return &MergeResult{Data: data}, nil
}

// kindOfPath classifies a repository path: "secret", "env" or "other".
func kindOfPath(p string) string {
	parts := strings.Split(path.Clean(p), "/")
	switch {
	case len(parts) == 5 && parts[0] == DirName && parts[1] == "agents" && parts[3] == "secrets":
		return "secret"
	case len(parts) == 4 && parts[0] == DirName && parts[1] == "agents" && parts[3] == "env.yaml":
		return "env"
	}
	return "other"
}

// mergeRoot parses a file to its top mapping; empty content is an empty mapping.
func mergeRoot(data []byte, emptyOK bool) (*yaml.Node, error) {
	empty := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	if len(bytes.TrimSpace(data)) == 0 && emptyOK {
		return empty, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	root := docRoot(&doc)
	if root == nil || root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("not a mapping")
	}
	return root, nil
}

// docComment returns the head comment of ours' document, to keep it on the result.
func docComment(data []byte) string {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil {
		return ""
	}
	return doc.HeadComment
}

type merger struct{ conflicts []MergeConflict }

func (m *merger) conflict(field, reason string) {
	m.conflicts = append(m.conflicts, MergeConflict{Field: field, Reason: reason})
}

// mapping merges three mappings key by key. units lists key groups that merge as one;
// custom merges particular keys itself. Keys keep ours' order; keys only theirs has
// are appended in theirs' order. A nil side is an absent mapping.
func (m *merger) mapping(b, o, t *yaml.Node, prefix string, units [][]string, custom map[string]func() *yaml.Node) *yaml.Node {
	unitOf := func(k string) []string {
		for _, u := range units {
			if slices.Contains(u, k) {
				return u
			}
		}
		return []string{k}
	}
	var keys []string
	for _, side := range []*yaml.Node{o, t} {
		for _, k := range mappingKeys(side) {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	sides := [3]*yaml.Node{b, o, t}
	chosen := map[string]int{} // key -> index of the side the unit's value comes from
	out := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: o.Style, HeadComment: o.HeadComment, LineComment: o.LineComment, FootComment: o.FootComment}
	for _, k := range keys {
		keyNode := mappingKey(o, k)
		if keyNode == nil {
			keyNode = mappingKey(t, k)
		}
		if f, ok := custom[k]; ok {
			if v := f(); v != nil {
				out.Content = append(out.Content, keyNode, v)
			}
			continue
		}
		side, ok := chosen[k]
		if !ok {
			u := unitOf(k)
			side = m.pick(sides, u, prefix)
			for _, uk := range u {
				chosen[uk] = side
			}
		}
		var v *yaml.Node
		if side == deeper { // both changed the same mapping in different places
			v = m.mapping(mappingValue(b, k), mappingValue(o, k), mappingValue(t, k), prefix+k+".", nil, nil)
		} else {
			v = mappingValue(sides[side], k)
		}
		if v != nil {
			out.Content = append(out.Content, keyNode, v)
		}
	}
	return out
}

// Side indexes for pick.
const (
	ours   = 1
	theirs = 2
	deeper = -1 // a mapping changed on both sides: merge it key by key
)

// pick chooses the side (ours or theirs) a unit's values come from, or deeper. A
// conflict is recorded (and ours kept) when both sides changed the unit differently.
func (m *merger) pick(sides [3]*yaml.Node, unit []string, prefix string) int {
	eq := func(i, j int) bool {
		for _, k := range unit {
			if !nodeEqual(mappingValue(sides[i], k), mappingValue(sides[j], k)) {
				return false
			}
		}
		return true
	}
	switch {
	case eq(ours, theirs), eq(0, theirs):
		return ours
	case eq(0, ours):
		return theirs
	}
	if len(unit) == 1 {
		bv, ov, tv := mappingValue(sides[0], unit[0]), mappingValue(sides[ours], unit[0]), mappingValue(sides[theirs], unit[0])
		if ov != nil && tv != nil && ov.Kind == yaml.MappingNode && tv.Kind == yaml.MappingNode && (bv == nil || bv.Kind == yaml.MappingNode) {
			return deeper
		}
	}
	m.conflict(prefix+unit[0], "changed differently on both sides")
	return ours
}

// env merges an env file: recipients first, then each variable, whose ciphertext is
// usable only when it was encrypted to the merged recipients.
func (m *merger) env(b, o, t *yaml.Node) *yaml.Node {
	files := [3]*yaml.Node{b, o, t}
	recipients := mappingValue(files[m.pick(files, []string{"recipients"}, "")], "recipients")
	vars := func() *yaml.Node {
		sides := [3]*yaml.Node{mappingValue(b, "vars"), mappingValue(o, "vars"), mappingValue(t, "vars")}
		out := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		if ov := sides[ours]; ov != nil {
			out.Style, out.HeadComment, out.LineComment = ov.Style, ov.HeadComment, ov.LineComment
		}
		var keys []string
		for _, n := range sides[1:] {
			for _, k := range mappingKeys(n) {
				if !slices.Contains(keys, k) {
					keys = append(keys, k)
				}
			}
		}
		for _, k := range keys {
			side := m.pick(sides, []string{k}, "vars.")
			if side == deeper {
				m.conflict("vars."+k, "not an encrypted value")
				side = ours
			}
			v := mappingValue(sides[side], k)
			if v == nil {
				continue // deleted
			}
			if !nodeEqual(mappingValue(files[side], "recipients"), recipients) {
				m.conflict("vars."+k, "encrypted to other recipients than the merged file (re-encrypted on one side, changed on the other)")
			}
			keyNode := mappingKey(sides[ours], k)
			if keyNode == nil {
				keyNode = mappingKey(sides[theirs], k)
			}
			out.Content = append(out.Content, keyNode, v)
		}
		return out
	}
	return m.mapping(b, o, t, "", nil, map[string]func() *yaml.Node{"vars": vars})
}

func secretConflictReason(b, o, t *yaml.Node) string {
	bv := mappingValue(b, "value")
	if !nodeEqual(bv, mappingValue(o, "value")) && !nodeEqual(bv, mappingValue(t, "value")) && !nodeEqual(mappingValue(o, "value"), mappingValue(t, "value")) {
		return "the value was changed on both sides"
	}
	return "the value was re-encrypted on one side (recipients, expiry or grace value changed) and changed differently on the other"
}

// conflictResult renders both sides whole between conflict markers: no field is
// decrypted or combined, so the file holds only what each side already had.
func conflictResult(in MergeInput, conflicts []MergeConflict) *MergeResult {
	label := func(side, commit string) string {
		if commit == "" {
			return side
		}
		return side + " (commit " + commit + ")"
	}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "<<<<<<< %s\n", label("ours", in.OursCommit))
	buf.Write(withNewline(in.Ours))
	buf.WriteString("=======\n")
	buf.Write(withNewline(in.Theirs))
	fmt.Fprintf(&buf, ">>>>>>> %s\n", label("theirs", in.TheirsCommit))
	return &MergeResult{Data: buf.Bytes(), Conflicts: conflicts}
}

func withNewline(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] != '\n' {
		return append(slices.Clone(b), '\n')
	}
	return b
}

func mappingKeys(m *yaml.Node) []string {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	keys := make([]string, 0, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		keys = append(keys, m.Content[i].Value)
	}
	return keys
}

// nodeEqual compares YAML values semantically: kinds, tags and scalar values, mappings
// regardless of key order; comments and styles are ignored.
func nodeEqual(a, b *yaml.Node) bool {
	if a == nil || b == nil {
		return a == b
	}
	for a.Kind == yaml.AliasNode && a.Alias != nil {
		a = a.Alias
	}
	for b.Kind == yaml.AliasNode && b.Alias != nil {
		b = b.Alias
	}
	if a.Kind != b.Kind || a.ShortTag() != b.ShortTag() || len(a.Content) != len(b.Content) {
		return false
	}
	switch a.Kind {
	case yaml.ScalarNode:
		return a.Value == b.Value
	case yaml.MappingNode:
		for i := 0; i+1 < len(a.Content); i += 2 {
			if !nodeEqual(a.Content[i+1], mappingValue(b, a.Content[i].Value)) {
				return false
			}
		}
		return true
	default:
		for i := range a.Content {
			if !nodeEqual(a.Content[i], b.Content[i]) {
				return false
			}
		}
		return true
	}
}

// MergeCommits finds, for a merge in progress in dir, the commits that last changed path
// on each side: HEAD's, and the other side's. During `git merge` the other side is named
// by the GITHEAD_<commit> variable git sets for merge drivers (MERGE_HEAD is written only
// afterwards); rebase, cherry-pick and revert leave REBASE_HEAD, CHERRY_PICK_HEAD or
// REVERT_HEAD. environ is the process environment. Either id is "" when git cannot say.
func MergeCommits(ctx context.Context, dir, path string, environ []string) (ours, theirs string) {
	last := func(rev string) string {
		out, err := runGit(ctx, dir, "rev-list", "-1", rev, "--", path)
		if err != nil {
			return ""
		}
		return shortID(strings.TrimSpace(out))
	}
	ours = last("HEAD")
	candidates := []string{}
	for _, kv := range environ {
		if k, _, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "GITHEAD_") && isCommitID(strings.TrimPrefix(k, "GITHEAD_")) {
			candidates = append(candidates, strings.TrimPrefix(k, "GITHEAD_"))
		}
	}
	candidates = append(candidates, "MERGE_HEAD", "REBASE_HEAD", "CHERRY_PICK_HEAD", "REVERT_HEAD")
	for _, ref := range candidates {
		if _, err := runGit(ctx, dir, "rev-parse", "-q", "--verify", ref+"^{commit}"); err == nil {
			return ours, last(ref)
		}
	}
	return ours, ""
}

// Merge-driver registration.
const (
	mergeDriverName  = "swiftclaw"
	mergeDriverCmd   = "swiftclaw merge-driver %O %A %B %P"
	attributesLine   = DirName + "/**/*.yaml merge=" + mergeDriverName
	attributesHeader = "# swiftclaw: merge secret and env files field by field (`swiftclaw merge-driver`)"
)

// stageAttributes adds swiftclaw's merge attribute to the repository's .gitattributes.
func (s *Store) stageAttributes(t *txn) error {
	p := filepath.Join(s.Root, ".gitattributes")
	if fi, err := os.Lstat(p); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		return errs.New(errs.Permission, ".gitattributes is a symbolic link; swiftclaw does not follow links")
	}
	data, err := os.ReadFile(p)
	if err != nil && !os.IsNotExist(err) {
		return errs.Wrap(errs.Internal, err, "cannot read .gitattributes")
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(line) == attributesLine {
			return nil
		}
	}
	t.put(p, append(withNewline(data), []byte(attributesHeader+"\n"+attributesLine+"\n")...))
	return nil
}

// registerMergeDriver sets merge.swiftclaw.* in the repository's git config (which is
// not versioned, so every clone runs `swiftclaw init` once). It reports whether it
// changed anything.
func (s *Store) registerMergeDriver(ctx context.Context) (bool, error) {
	if !s.InGit {
		return false, nil
	}
	changed := false
	for key, want := range map[string]string{
		"merge." + mergeDriverName + ".name":   "swiftclaw: merge secret and env files field by field",
		"merge." + mergeDriverName + ".driver": mergeDriverCmd,
	} {
		if got, _ := runGit(ctx, s.Root, "config", "--local", "--get", key); strings.TrimSpace(got) == want {
			continue
		}
		if _, err := runGit(ctx, s.Root, "config", "--local", key, want); err != nil {
			return changed, err
		}
		changed = true
	}
	return changed, nil
}
