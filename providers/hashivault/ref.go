package hashivault

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// ReadRef reads one field of the secret at a logical path, as a vault:PATH#FIELD reference
// names it: secret/data/my-agent#api_key. KV version 2 paths (with data/) and version 1
// paths both work. Without a field, the secret's only field, or its "value" field, is
// read. Field names, never values, appear in errors.
func (p *Provider) ReadRef(ctx context.Context, path, field string) ([]byte, error) {
	path = strings.Trim(path, "/")
	ref := "vault:" + path
	s, err := p.c.Logical().ReadWithContext(ctx, path)
	if err != nil {
		return nil, p.wrap(err, "read", ref)
	}
	if s == nil || s.Data == nil {
		return nil, errs.New(errs.NotFound, "%s: nothing at %s in %s", ref, path, p.addr).
			WithHint("KV version 2 paths include data/, e.g. secret/data/my-agent#api_key")
	}
	data := s.Data
	if inner, ok := s.Data["data"].(map[string]any); ok && s.Data["metadata"] != nil {
		data = inner // KV version 2 wraps the fields with their metadata
	}
	if data == nil {
		return nil, errs.New(errs.NotFound, "%s: the latest version is deleted", ref)
	}
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if field == "" {
		switch {
		case len(keys) == 1:
			field = keys[0]
		case data["value"] != nil:
			field = "value"
		default:
			return nil, errs.New(errs.Input, "%s has fields %s; name one", ref, strings.Join(keys, ", ")).
				WithHint("write vault:%s#FIELD", path)
		}
	}
	v, ok := data[field]
	if !ok {
		return nil, errs.New(errs.NotFound, "%s has no field %q (fields: %s)", ref, field, strings.Join(keys, ", "))
	}
	if field == "value" && data["encoding"] == "base64" {
		return decode(data, path)
	}
	switch v := v.(type) {
	case string:
		return []byte(v), nil
	case nil:
		return nil, nil
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return nil, errs.Wrap(errs.Internal, err, "%s#%s", ref, field)
		}
		return b, nil
	}
}

// String is for messages.
func (p *Provider) String() string { return fmt.Sprintf("vault(%s)", p.addr) }
