package vault

import (
	"bytes"
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/swiftclaw/swiftclaw/internal/yamlutil"
)

// encodeYAML renders v as YAML. When orig (a previously parsed document) is given, v's
// fields are merged into it so the user's comments and key order survive the rewrite.
func encodeYAML(v any, orig *yaml.Node) ([]byte, error) {
	var fresh yaml.Node
	if err := fresh.Encode(v); err != nil {
		return nil, err
	}
	doc := &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{&fresh}}
	if orig != nil && orig.Kind == yaml.DocumentNode && len(orig.Content) == 1 && orig.Content[0].Kind == yaml.MappingNode {
		mergeMapping(orig.Content[0], &fresh)
		doc = orig
	}
	return renderDoc(doc)
}

// renderDoc writes a YAML document with swiftclaw's indentation.
func renderDoc(doc *yaml.Node) ([]byte, error) { return yamlutil.Render(doc) }

// mergeMapping makes dst hold exactly src's keys and values, keeping dst's key order,
// comments and styles for keys that survive; new keys are appended in src's order.
func mergeMapping(dst, src *yaml.Node) {
	srcIdx := map[string]int{}
	for i := 0; i+1 < len(src.Content); i += 2 {
		srcIdx[src.Content[i].Value] = i
	}
	seen := map[string]bool{}
	var out []*yaml.Node
	orphan := "" // head comment of a removed key, kept on the next key
	for i := 0; i+1 < len(dst.Content); i += 2 {
		k, v := dst.Content[i], dst.Content[i+1]
		j, ok := srcIdx[k.Value]
		if !ok {
			orphan = joinComments(orphan, k.HeadComment)
			continue // removed
		}
		if orphan != "" {
			k.HeadComment, orphan = joinComments(orphan, k.HeadComment), ""
		}
		seen[k.Value] = true
		out = append(out, k, mergeValue(v, src.Content[j+1]))
	}
	for i := 0; i+1 < len(src.Content); i += 2 {
		if !seen[src.Content[i].Value] {
			out = append(out, src.Content[i], src.Content[i+1])
		}
	}
	dst.Content = out
}

func joinComments(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "\n" + b
}

func mergeValue(dst, src *yaml.Node) *yaml.Node {
	switch {
	case dst.Kind == yaml.MappingNode && src.Kind == yaml.MappingNode:
		mergeMapping(dst, src)
		return dst
	case dst.Kind == yaml.ScalarNode && src.Kind == yaml.ScalarNode:
		if dst.Value == src.Value && dst.Tag == src.Tag {
			return dst // unchanged: keep the original style byte for byte
		}
		src.HeadComment, src.LineComment, src.FootComment = dst.HeadComment, dst.LineComment, dst.FootComment
		return src
	case dst.Kind == yaml.SequenceNode && src.Kind == yaml.SequenceNode:
		src.HeadComment, src.LineComment, src.FootComment = dst.HeadComment, dst.LineComment, dst.FootComment
		src.Style = dst.Style
		return src
	}
	return src
}

// mappingValue returns the value node for key in a mapping node, or nil.
func mappingValue(m *yaml.Node, key string) *yaml.Node {
	if i := mappingIndex(m, key); i >= 0 {
		return m.Content[i+1]
	}
	return nil
}

// mappingKey returns the key node for key in a mapping node, or nil.
func mappingKey(m *yaml.Node, key string) *yaml.Node {
	if i := mappingIndex(m, key); i >= 0 {
		return m.Content[i]
	}
	return nil
}

func mappingIndex(m *yaml.Node, key string) int {
	if m == nil || m.Kind != yaml.MappingNode {
		return -1
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return i
		}
	}
	return -1
}

// docRoot returns the top mapping of a document node, or nil.
func docRoot(doc *yaml.Node) *yaml.Node {
	if doc == nil || doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil
	}
	return doc.Content[0]
}

// parseYAML parses data into a document node and strictly into v. Errors carry the
// file name and line (yaml.v3's messages already say "line N").
func parseYAML(data []byte, v any, strict bool) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if doc.Kind == 0 {
		return nil, fmt.Errorf("file is empty")
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(strict)
	if err := dec.Decode(v); err != nil {
		return nil, err
	}
	return &doc, nil
}
