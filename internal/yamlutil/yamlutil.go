// Package yamlutil holds the YAML rendering every swiftclaw file writer shares, so files
// rewritten by different packages keep one indentation style.
package yamlutil

import (
	"bytes"

	"gopkg.in/yaml.v3"
)

// Render writes a YAML node (usually a document node) with swiftclaw's two-space indentation.
func Render(doc *yaml.Node) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
