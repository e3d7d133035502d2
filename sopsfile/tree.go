package sopsfile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"
)

// item is one key of a mapping, in file order.
type item struct {
	key   string
	value any // string, int, float64, bool, nil, []any, branch
}

// branch is an ordered mapping, like sops' TreeBranch.
type branch []item

// metadata is the part of the `sops` entry this package uses.
type metadata struct {
	ageKeys           []ageKey
	keyGroups         int // number of key_groups
	shamirThreshold   int
	lastModified      string
	mac               string
	unencryptedSuffix string
	encryptedSuffix   string
	unencryptedRegex  string
	encryptedRegex    string
	commentRegex      bool // unencrypted_comment_regex or encrypted_comment_regex set
	macOnlyEncrypted  bool
}

type ageKey struct {
	recipient string
	enc       string
}

// ---- YAML ----

func loadYAML(data []byte) ([]branch, *metadata, error) {
	// sops refuses duplicate keys by decoding into a map first; so do we.
	if len(data) > 0 {
		if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(map[string]any{}); err != nil && err != io.EOF {
			return nil, nil, fmt.Errorf("invalid YAML: %w", err)
		}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var branches []branch
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("invalid YAML: %w", err)
		}
		b, err := yamlDocument(&doc)
		if err != nil {
			return nil, nil, err
		}
		branches = append(branches, b)
	}
	md, err := extractMetadata(branches)
	return branches, md, err
}

func yamlDocument(n *yaml.Node) (branch, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		var out branch
		for _, c := range n.Content {
			b, err := yamlDocument(c)
			if err != nil {
				return nil, err
			}
			out = append(out, b...)
		}
		return out, nil
	case yaml.MappingNode:
		return yamlMapping(n)
	case yaml.AliasNode:
		return yamlDocument(n.Alias)
	case yaml.ScalarNode:
		if n.ShortTag() == "!!null" {
			return nil, nil
		}
		return nil, fmt.Errorf("YAML documents that are single values are not sops files")
	default:
		return nil, fmt.Errorf("YAML documents that are sequences are not sops files")
	}
}

func yamlMapping(n *yaml.Node) (branch, error) {
	var out branch
	for i := 0; i+1 < len(n.Content); i += 2 {
		var key any
		if err := n.Content[i].Decode(&key); err != nil {
			return nil, fmt.Errorf("line %d: %w", n.Content[i].Line, err)
		}
		k, ok := key.(string)
		if !ok {
			return nil, fmt.Errorf("line %d: key is not a string", n.Content[i].Line)
		}
		v, err := yamlValue(n.Content[i+1])
		if err != nil {
			return nil, err
		}
		out = append(out, item{key: k, value: v})
	}
	return out, nil
}

func yamlValue(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.MappingNode:
		return yamlMapping(n)
	case yaml.SequenceNode:
		list := []any{}
		for _, c := range n.Content {
			v, err := yamlValue(c)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		return list, nil
	case yaml.AliasNode:
		return yamlValue(n.Alias)
	default:
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, fmt.Errorf("line %d: %w", n.Line, err)
		}
		return v, nil
	}
}

// ---- JSON ----

func loadJSON(data []byte) ([]branch, *metadata, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, nil, fmt.Errorf("invalid JSON: %w", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, nil, fmt.Errorf("a sops JSON file is an object")
	}
	b, err := jsonObject(dec)
	if err != nil {
		return nil, nil, fmt.Errorf("invalid JSON: %w", err)
	}
	branches := []branch{b}
	md, err := extractMetadata(branches)
	return branches, md, err
}

func jsonObject(dec *json.Decoder) (branch, error) {
	var out branch
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		if d, ok := tok.(json.Delim); ok && d == '}' {
			return out, nil
		}
		k, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("expected an object key")
		}
		v, err := jsonValue(dec)
		if err != nil {
			return nil, err
		}
		out = append(out, item{key: k, value: v})
	}
}

func jsonValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			return jsonObject(dec)
		case '[':
			list := []any{}
			for dec.More() {
				v, err := jsonValue(dec)
				if err != nil {
					return nil, err
				}
				list = append(list, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return list, nil
		}
		return nil, fmt.Errorf("unexpected %v", t)
	case json.Number:
		// As sops' normalizeJSONNumber: int when it fits in int64, else float64.
		if i, err := t.Int64(); err == nil {
			return int(i), nil
		}
		return t.Float64()
	default:
		return t, nil
	}
}

// ---- dotenv ----

func loadDotenv(data []byte) ([]branch, *metadata, error) {
	var b branch
	meta := map[string]string{}
	for n, line := range bytes.Split(data, []byte("\n")) {
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		k, v, ok := bytes.Cut(line, []byte("="))
		if !ok {
			return nil, nil, fmt.Errorf("line %d: not KEY=VALUE", n+1)
		}
		key := string(k)
		val := strings.ReplaceAll(string(v), `\n`, "\n")
		if rest, isMeta := strings.CutPrefix(key, "sops_"); isMeta {
			meta[rest] = val
			continue
		}
		b = append(b, item{key: key, value: val})
	}
	if len(meta) == 0 {
		return nil, nil, errNoMetadata
	}
	md, err := flatMetadata(meta)
	return []branch{b}, md, err
}
