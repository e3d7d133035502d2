package awssm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/providers"
)

// Where names the JSON secret.
func (p *JSONProvider) Where() string {
	return fmt.Sprintf("aws secrets manager %s (JSON secret %s)", p.region, p.id)
}

// doc reads the JSON object of version ("" = AWSCURRENT). A missing secret is an empty
// object with found false.
func (p *JSONProvider) doc(ctx context.Context, version string) (obj map[string]json.RawMessage, out *sm.GetSecretValueOutput, found bool, err error) {
	in := &sm.GetSecretValueInput{SecretId: aws.String(p.id)}
	if version != "" {
		in.VersionId = aws.String(version)
	}
	out, err = p.c.GetSecretValue(ctx, in)
	if err != nil {
		err = p.wrap(err, "read", p.id)
		if errs.KindOf(err) == errs.NotFound && version == "" {
			return map[string]json.RawMessage{}, nil, false, err
		}
		return nil, nil, false, err
	}
	obj = map[string]json.RawMessage{}
	if out.SecretString == nil || json.Unmarshal([]byte(*out.SecretString), &obj) != nil {
		return nil, nil, false, errs.New(errs.Input, "%s does not hold a JSON object, so swiftclaw cannot keep several secrets in it", p.id).
			WithHint("point secretArn at a secret whose value is a JSON object, or use namePrefix for one AWS secret per swiftclaw secret")
	}
	return obj, out, true, nil
}

func member(obj map[string]json.RawMessage, name string) ([]byte, bool) {
	raw, ok := obj[name]
	if !ok {
		return nil, false
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return []byte(s), true
	}
	return raw, true // a number, object, ... is returned as its JSON text
}

func (p *JSONProvider) notFound(name string) error { return providers.NotFound(p, name) }

// Get reads one member of the current object, or of version.
func (p *JSONProvider) Get(ctx context.Context, name, version string) (*providers.Secret, error) {
	if err := providers.ValidateName(name); err != nil {
		return nil, err
	}
	obj, out, _, err := p.doc(ctx, version)
	if err != nil {
		if errs.KindOf(err) == errs.NotFound && version == "" {
			return nil, p.notFound(name)
		}
		return nil, err
	}
	v, ok := member(obj, name)
	if !ok {
		return nil, p.notFound(name)
	}
	m := providers.Meta{Name: name, Version: aws.ToString(out.VersionId), Created: aws.ToTime(out.CreatedDate), Updated: aws.ToTime(out.CreatedDate)}
	if d, err := p.c.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String(p.id)}); err == nil {
		m.Created = aws.ToTime(d.CreatedDate)
	}
	return &providers.Secret{Meta: m, Value: v}, nil
}

// put writes obj as a new AWSCURRENT version, creating the secret when it is absent.
func (p *JSONProvider) put(ctx context.Context, obj map[string]json.RawMessage, exists bool, name string) (*sm.PutSecretValueOutput, error) {
	data, err := json.Marshal(obj)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "encode %s", p.id)
	}
	if len(data) > MaxValueSize {
		return nil, errs.New(errs.Input, "%s would be %d bytes with %s; one AWS secret holds at most %d", p.id, len(data), name, MaxValueSize).
			WithHint("use namePrefix to keep one AWS secret per swiftclaw secret")
	}
	if !exists {
		out, err := p.c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String(p.id), SecretString: aws.String(string(data))})
		if err != nil {
			return nil, p.wrap(err, "create", p.id)
		}
		return &sm.PutSecretValueOutput{VersionId: out.VersionId}, nil
	}
	out, err := p.c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: aws.String(p.id), SecretString: aws.String(string(data))})
	if err != nil {
		return nil, p.wrap(err, "write", p.id)
	}
	return out, nil
}

// Set writes name's member into a new version of the object unless it already has value.
func (p *JSONProvider) Set(ctx context.Context, name string, val []byte, opts providers.SetOptions) (*providers.SetResult, error) {
	if err := providers.ValidateName(name); err != nil {
		return nil, err
	}
	if err := providers.CheckSize(p, name, val); err != nil {
		return nil, err
	}
	if opts.TTL > 0 {
		return nil, providers.NoExpiry(providers.AWS)
	}
	if !utf8.Valid(val) {
		return nil, errs.New(errs.Input, "%s is not UTF-8 text, and members of the JSON secret %s must be", name, p.id).
			WithHint("use namePrefix instead of secretArn to keep binary values (stored as SecretBinary)")
	}
	obj, _, exists, err := p.doc(ctx, "")
	if err != nil && !(errs.KindOf(err) == errs.NotFound && !errors.Is(err, errScheduled)) {
		return nil, err
	}
	old, had := member(obj, name)
	res := &providers.SetResult{Created: !had, Meta: providers.Meta{Name: name}}
	if had && string(old) == string(val) {
		return res, nil
	}
	raw, _ := json.Marshal(string(val))
	obj[name] = raw
	out, err := p.put(ctx, obj, exists, name)
	if err != nil {
		return nil, err
	}
	res.Changed, res.Meta.Version = true, aws.ToString(out.VersionId)
	return res, nil
}

// List lists the object's members.
func (p *JSONProvider) List(ctx context.Context) ([]providers.Meta, error) {
	obj, out, _, err := p.doc(ctx, "")
	if errs.KindOf(err) == errs.NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var ms []providers.Meta
	for name := range obj {
		if providers.ValidateName(name) == nil {
			ms = append(ms, providers.Meta{Name: name, Created: aws.ToTime(out.CreatedDate), Version: aws.ToString(out.VersionId)})
		}
	}
	return providers.SortMetas(ms), nil
}

// Versions lists the versions of the object that hold name.
func (p *JSONProvider) Versions(ctx context.Context, name string) ([]providers.Version, error) {
	if _, err := p.Get(ctx, name, ""); err != nil {
		return nil, err
	}
	vs, err := p.versions(ctx, aws.String(p.id), p.id)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(vs, func(v providers.Version) bool {
		obj, _, _, err := p.doc(ctx, v.ID)
		_, ok := member(obj, name)
		return err != nil || !ok
	}), nil
}

// Rollback writes name's value from version into a new version of the object.
func (p *JSONProvider) Rollback(ctx context.Context, name, version string) (*providers.SetResult, error) {
	old, err := p.Get(ctx, name, version)
	if err != nil {
		if errs.KindOf(err) == errs.NotFound || errs.KindOf(err) == errs.Input {
			return nil, unknownVersion(name, version)
		}
		return nil, err
	}
	return p.Set(ctx, name, old.Value, providers.SetOptions{})
}

// Remove deletes name's member in a new version of the object.
func (p *JSONProvider) Remove(ctx context.Context, name string) error {
	if err := providers.ValidateName(name); err != nil {
		return err
	}
	obj, _, _, err := p.doc(ctx, "")
	if err != nil {
		if errs.KindOf(err) == errs.NotFound {
			return p.notFound(name)
		}
		return err
	}
	if _, ok := obj[name]; !ok {
		return p.notFound(name)
	}
	delete(obj, name)
	_, err = p.put(ctx, obj, true, name)
	return err
}
