package policy

import (
	"fmt"
	"slices"

	"gopkg.in/yaml.v3"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/internal/yamlutil"
)

// AddGrant returns policy.yaml's text (data) with g added, editing the YAML document in
// place so the user's comments and the other grants stay as they were. A grant for the
// same principal, agent and secret pattern gets g's permissions merged into it rather than
// a second entry. changed is false when g was already fully granted.
func AddGrant(data []byte, g Grant) (out []byte, changed bool, err error) {
	if err := g.validate(); err != nil {
		return nil, false, errs.Wrap(errs.Input, err, "invalid grant")
	}
	doc, seq, err := grantsNode(data)
	if err != nil {
		return nil, false, err
	}
	for _, item := range seq.Content {
		var cur Grant
		if item.Decode(&cur) != nil || !sameTarget(cur, g.Principal(), g.Agent, g.Secret) {
			continue
		}
		merged := union(cur.Permissions, g.Permissions)
		if slices.Equal(merged, sortedPerms(cur.Permissions)) {
			return data, false, nil
		}
		if err := setPermissions(item, merged); err != nil {
			return nil, false, err
		}
		out, err := yamlutil.Render(doc)
		return out, true, err
	}
	g.Permissions = sortedPerms(g.Permissions)
	var n yaml.Node
	if err := n.Encode(g); err != nil {
		return nil, false, err
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if v := n.Content[i+1]; v.Style == yaml.SingleQuotedStyle {
			v.Style = yaml.DoubleQuotedStyle // "*" as the file's own comments write it
		}
	}
	seq.Style &^= yaml.FlowStyle // `grants: []` becomes a block list once it has entries
	seq.Content = append(seq.Content, &n)
	out, err = yamlutil.Render(doc)
	return out, true, err
}

// RemoveGrant returns data with permissions perms (all when perms is empty) removed from
// the grants of principal on agent whose secret pattern is exactly secret. A grant left
// with no permission is deleted. removed lists the matching grants as they were before;
// it is empty (and out is data) when nothing matched.
func RemoveGrant(data []byte, principal, agent, secret string, perms []string) (out []byte, removed []Grant, err error) {
	doc, seq, err := grantsNode(data)
	if err != nil {
		return nil, nil, err
	}
	kept := seq.Content[:0:0]
	for _, item := range seq.Content {
		var cur Grant
		if item.Decode(&cur) != nil || !sameTarget(cur, principal, agent, secret) {
			kept = append(kept, item)
			continue
		}
		removed = append(removed, cur)
		left := slices.DeleteFunc(slices.Clone(cur.Permissions), func(p string) bool {
			return len(perms) == 0 || slices.Contains(perms, p)
		})
		if len(left) == 0 {
			continue
		}
		if err := setPermissions(item, sortedPerms(left)); err != nil {
			return nil, nil, err
		}
		kept = append(kept, item)
	}
	if len(removed) == 0 {
		return data, nil, nil
	}
	seq.Content = kept
	if len(kept) == 0 {
		seq.Style |= yaml.FlowStyle // back to `grants: []`
	}
	out, err = yamlutil.Render(doc)
	return out, removed, err
}

func sameTarget(g Grant, principal, agent, secret string) bool {
	return g.Principal() == principal && g.Agent == agent && g.Secret == secret
}

// grantsNode parses data (strictly, as Parse does) and returns the document and its
// `grants` sequence, creating both when absent.
func grantsNode(data []byte) (doc, seq *yaml.Node, err error) {
	if _, err := Parse(data, "policy.yaml"); err != nil {
		return nil, nil, err
	}
	doc = &yaml.Node{}
	if err := yaml.Unmarshal(data, doc); err != nil {
		return nil, nil, errs.Wrap(errs.Input, err, "malformed policy.yaml")
	}
	if doc.Kind == 0 {
		doc = &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode}}}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, nil, errs.New(errs.Input, "malformed policy.yaml: the top level is not a mapping")
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "grants" {
			seq = root.Content[i+1]
		}
	}
	if seq == nil || seq.Kind != yaml.SequenceNode {
		if seq != nil && !(seq.Kind == yaml.ScalarNode && seq.Tag == "!!null") {
			return nil, nil, errs.New(errs.Input, "malformed policy.yaml: grants is not a list")
		}
		fresh := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle}
		if seq != nil {
			*seq = *fresh // `grants:` with no value
		} else {
			seq = fresh
			root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "grants"}, seq)
		}
	}
	return doc, seq, nil
}

// setPermissions replaces the permissions value of a grant mapping node.
func setPermissions(item *yaml.Node, perms []string) error {
	var n yaml.Node
	if err := n.Encode(perms); err != nil {
		return err
	}
	n.Style = yaml.FlowStyle
	for i := 0; i+1 < len(item.Content); i += 2 {
		if item.Content[i].Value == "permissions" {
			old := item.Content[i+1]
			n.LineComment, n.HeadComment, n.FootComment = old.LineComment, old.HeadComment, old.FootComment
			item.Content[i+1] = &n
			return nil
		}
	}
	return fmt.Errorf("grant has no permissions")
}

func union(a, b []string) []string {
	return sortedPerms(append(slices.Clone(a), b...))
}

func sortedPerms(p []string) []string {
	out := slices.Clone(p)
	slices.Sort(out)
	return slices.Compact(out)
}
