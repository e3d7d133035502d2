package awssm

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// ReadRef reads the AWSCURRENT value of the secret named id (a name or ARN), as an
// aws-sm:NAME-or-ARN[#json-key] reference names it. With key, the value must be a JSON
// object and the member key is returned (strings as they are, other JSON as its text).
func (p *Provider) ReadRef(ctx context.Context, id, key string) ([]byte, error) {
	ref := "aws-sm:" + id
	out, err := p.c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String(id)})
	if err != nil {
		return nil, p.wrap(err, "read", ref)
	}
	v := value(out)
	if key == "" {
		return v, nil
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(v, &obj) != nil {
		return nil, errs.New(errs.Input, "%s is not a JSON object, so it has no key %q", ref, key).
			WithHint("drop #%s to read the whole value", key)
	}
	m, ok := member(obj, key)
	if !ok {
		return nil, errs.New(errs.NotFound, "%s has no key %q", ref, key)
	}
	return m, nil
}
