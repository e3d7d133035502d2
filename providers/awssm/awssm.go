package awssm

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/providers"
)

// MaxValueSize is Secrets Manager's limit for SecretString and SecretBinary.
const MaxValueSize = 65536

// Stage labels.
const (
	Current  = "AWSCURRENT"
	Previous = "AWSPREVIOUS"
)

// Options configure New. Empty fields fall back to the AWS default configuration.
type Options struct {
	Region   string
	Endpoint string // overrides AWS_ENDPOINT_URL
	Profile  string
	// AccessKeyID, SecretAccessKey and SessionToken, when set, replace the default chain.
	AccessKeyID, SecretAccessKey, SessionToken string
	// NamePrefix is prepended to each swiftclaw name (layout one secret per name).
	NamePrefix string
	// SecretID, when set, is the name or ARN of the one JSON secret holding every name.
	SecretID string
	// HTTPClient replaces the transport (tests).
	HTTPClient *http.Client
	// MaxAttempts and MaxBackoff tune retries (defaults: the SDK's standard retryer, 3
	// attempts, backoff up to 20s).
	MaxAttempts int
	MaxBackoff  time.Duration
}

// Provider is one agent's secrets in Secrets Manager.
type Provider struct {
	c      *sm.Client
	prefix string
	region string
}

// JSONProvider is one agent's secrets as members of one JSON secret.
type JSONProvider struct {
	Provider
	id string
}

var (
	_ providers.Provider = (*Provider)(nil)
	_ providers.Provider = (*JSONProvider)(nil)
)

// NewClient builds the Secrets Manager client from opts and the AWS default configuration.
func NewClient(ctx context.Context, opts Options) (*sm.Client, error) {
	var lo []func(*config.LoadOptions) error
	if opts.Region != "" {
		lo = append(lo, config.WithRegion(opts.Region))
	}
	if opts.Profile != "" {
		lo = append(lo, config.WithSharedConfigProfile(opts.Profile))
	}
	if (opts.AccessKeyID == "") != (opts.SecretAccessKey == "") {
		return nil, errs.New(errs.Input, "aws credentials need both accessKeyId and secretAccessKey, or neither (the default chain)").
			WithHint("set the missing one in agent.yaml's secrets block, as env:VAR or secret:NAME")
	}
	if opts.AccessKeyID != "" {
		lo = append(lo, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(opts.AccessKeyID, opts.SecretAccessKey, opts.SessionToken)))
	}
	if opts.HTTPClient != nil {
		lo = append(lo, config.WithHTTPClient(opts.HTTPClient))
	}
	lo = append(lo, config.WithRetryer(func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			if opts.MaxAttempts > 0 {
				o.MaxAttempts = opts.MaxAttempts
			}
			if opts.MaxBackoff > 0 {
				o.MaxBackoff = opts.MaxBackoff
			}
		})
	}))
	cfg, err := config.LoadDefaultConfig(ctx, lo...)
	if err != nil {
		return nil, errs.Wrap(errs.Input, err, "aws configuration").
			WithHint("check AWS_PROFILE, AWS_REGION and ~/.aws/config")
	}
	if cfg.Region == "" {
		return nil, errs.New(errs.Input, "no AWS region: set region in agent.yaml's secrets block or AWS_REGION")
	}
	return sm.NewFromConfig(cfg, func(o *sm.Options) {
		if opts.Endpoint != "" {
			o.BaseEndpoint = aws.String(opts.Endpoint)
		}
	}), nil
}

// New connects to Secrets Manager; it makes no request. With opts.SecretID it returns a
// *JSONProvider.
func New(ctx context.Context, opts Options) (providers.Provider, error) {
	c, err := NewClient(ctx, opts)
	if err != nil {
		return nil, err
	}
	p := Provider{c: c, prefix: opts.NamePrefix, region: c.Options().Region}
	if opts.SecretID != "" {
		return &JSONProvider{Provider: p, id: opts.SecretID}, nil
	}
	return &p, nil
}

// Kind returns providers.AWS.
func (p *Provider) Kind() string { return providers.AWS }

// Where names the region and prefix.
func (p *Provider) Where() string {
	return fmt.Sprintf("aws secrets manager %s (names %s*)", p.region, p.prefix)
}

// MaxValueSize is MaxValueSize.
func (p *Provider) MaxValueSize() int { return MaxValueSize }

func (p *Provider) id(name string) (*string, error) {
	if err := providers.ValidateName(name); err != nil {
		return nil, err
	}
	return aws.String(p.prefix + name), nil
}

func value(out *sm.GetSecretValueOutput) []byte {
	if out.SecretString != nil {
		return []byte(*out.SecretString)
	}
	return out.SecretBinary
}

// Get reads the AWSCURRENT value, or the given version id.
func (p *Provider) Get(ctx context.Context, name, version string) (*providers.Secret, error) {
	id, err := p.id(name)
	if err != nil {
		return nil, err
	}
	in := &sm.GetSecretValueInput{SecretId: id}
	if version != "" {
		in.VersionId = aws.String(version)
	}
	out, err := p.c.GetSecretValue(ctx, in)
	if err != nil {
		return nil, p.wrap(err, "read", name)
	}
	d, err := p.c.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: id})
	if err != nil {
		return nil, p.wrap(err, "read", name)
	}
	return &providers.Secret{Meta: metaOf(name, d, out), Value: value(out)}, nil
}

func metaOf(name string, d *sm.DescribeSecretOutput, v *sm.GetSecretValueOutput) providers.Meta {
	m := providers.Meta{Name: name, Description: aws.ToString(d.Description), Created: aws.ToTime(d.CreatedDate), Updated: aws.ToTime(d.LastChangedDate)}
	if v != nil {
		m.Version = aws.ToString(v.VersionId)
		m.Updated = aws.ToTime(v.CreatedDate)
	}
	return m
}

// Set creates the secret, or puts a new AWSCURRENT version when the value differs; a
// secret scheduled for deletion is restored first.
func (p *Provider) Set(ctx context.Context, name string, val []byte, opts providers.SetOptions) (*providers.SetResult, error) {
	id, err := p.id(name)
	if err != nil {
		return nil, err
	}
	if err := providers.CheckSize(p, name, val); err != nil {
		return nil, err
	}
	if opts.TTL > 0 {
		return nil, providers.NoExpiry(providers.AWS)
	}
	str, bin := encode(val)
	res := &providers.SetResult{Changed: true}
	cur, err := p.Get(ctx, name, "")
	switch {
	case err == nil:
		res.Meta = cur.Meta
		if string(cur.Value) == string(val) {
			res.Changed = false
			break
		}
		out, err := p.c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: id, SecretString: str, SecretBinary: bin})
		if err != nil {
			return nil, p.wrap(err, "write", name)
		}
		res.Meta.Version, res.Meta.Updated = aws.ToString(out.VersionId), time.Now().UTC()
	case errs.KindOf(err) != errs.NotFound:
		return nil, err
	case errors.Is(err, errScheduled):
		res.Created = true
		if _, err := p.c.RestoreSecret(ctx, &sm.RestoreSecretInput{SecretId: id}); err != nil {
			return nil, p.wrap(err, "restore", name)
		}
		out, err := p.c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: id, SecretString: str, SecretBinary: bin})
		if err != nil {
			return nil, p.wrap(err, "write", name)
		}
		now := time.Now().UTC()
		res.Meta = providers.Meta{Name: name, Version: aws.ToString(out.VersionId), Created: now, Updated: now}
	default:
		res.Created = true
		out, err := p.c.CreateSecret(ctx, &sm.CreateSecretInput{Name: id, SecretString: str, SecretBinary: bin, Description: opts.Description})
		if err != nil {
			return nil, p.wrap(err, "create", name)
		}
		now := time.Now().UTC()
		res.Meta = providers.Meta{Name: name, Version: aws.ToString(out.VersionId), Created: now, Updated: now, Description: aws.ToString(opts.Description)}
		return res, nil
	}
	if opts.Description != nil && *opts.Description != res.Meta.Description {
		if _, err := p.c.UpdateSecret(ctx, &sm.UpdateSecretInput{SecretId: id, Description: opts.Description}); err != nil {
			return nil, p.wrap(err, "describe", name)
		}
		res.Meta.Description = *opts.Description
	}
	return res, nil
}

func encode(v []byte) (*string, []byte) {
	if utf8.Valid(v) {
		return aws.String(string(v)), nil
	}
	return nil, v
}

// List lists the secrets whose names start with the prefix.
func (p *Provider) List(ctx context.Context) ([]providers.Meta, error) {
	in := &sm.ListSecretsInput{}
	if p.prefix != "" {
		in.Filters = []types.Filter{{Key: types.FilterNameStringTypeName, Values: []string{p.prefix}}}
	}
	var out []providers.Meta
	pages := sm.NewListSecretsPaginator(p.c, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, p.wrap(err, "list", p.prefix+"*")
		}
		for _, e := range page.SecretList {
			name, ok := strings.CutPrefix(aws.ToString(e.Name), p.prefix)
			if !ok || e.DeletedDate != nil || providers.ValidateName(name) != nil {
				continue
			}
			out = append(out, providers.Meta{Name: name, Description: aws.ToString(e.Description), Created: aws.ToTime(e.CreatedDate), Updated: aws.ToTime(e.LastChangedDate)})
		}
	}
	return providers.SortMetas(out), nil
}

// Versions lists every version, deprecated ones included: AWSCURRENT first, then newest
// first.
func (p *Provider) Versions(ctx context.Context, name string) ([]providers.Version, error) {
	id, err := p.id(name)
	if err != nil {
		return nil, err
	}
	return p.versions(ctx, id, name)
}

func (p *Provider) versions(ctx context.Context, id *string, name string) ([]providers.Version, error) {
	var out []providers.Version
	pages := sm.NewListSecretVersionIdsPaginator(p.c, &sm.ListSecretVersionIdsInput{SecretId: id, IncludeDeprecated: aws.Bool(true)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, p.wrap(err, "list versions of", name)
		}
		for _, v := range page.Versions {
			st := providers.StatusDeprecated
			if slices.Contains(v.VersionStages, Current) {
				st = providers.StatusActive
			}
			out = append(out, providers.Version{ID: aws.ToString(v.VersionId), Created: aws.ToTime(v.CreatedDate), Status: st, Labels: v.VersionStages})
		}
	}
	return providers.SortVersions(out), nil
}

// Rollback moves AWSCURRENT to version (AWSPREVIOUS follows the version it left).
func (p *Provider) Rollback(ctx context.Context, name, version string) (*providers.SetResult, error) {
	id, err := p.id(name)
	if err != nil {
		return nil, err
	}
	vs, err := p.versions(ctx, id, name)
	if err != nil {
		return nil, err
	}
	var cur string
	found := false
	for _, v := range vs {
		if v.Status == providers.StatusActive {
			cur = v.ID
		}
		found = found || v.ID == version
	}
	if !found {
		return nil, unknownVersion(name, version)
	}
	if cur != version {
		_, err := p.c.UpdateSecretVersionStage(ctx, &sm.UpdateSecretVersionStageInput{
			SecretId: id, VersionStage: aws.String(Current), MoveToVersionId: aws.String(version), RemoveFromVersionId: aws.String(cur),
		})
		if err != nil {
			return nil, p.wrap(err, "roll back", name)
		}
	}
	s, err := p.Get(ctx, name, "")
	if err != nil {
		return nil, err
	}
	return &providers.SetResult{Meta: s.Meta, Changed: cur != version}, nil
}

func unknownVersion(name, version string) error {
	return errs.New(errs.NotFound, "%s has no version %q", name, version).
		WithHint("list its versions with `swiftclaw secrets versions AGENT %s`", name)
}

// Remove schedules the secret for deletion (the default recovery window applies).
func (p *Provider) Remove(ctx context.Context, name string) error {
	id, err := p.id(name)
	if err != nil {
		return err
	}
	if _, err := p.c.DeleteSecret(ctx, &sm.DeleteSecretInput{SecretId: id}); err != nil {
		return p.wrap(err, "remove", name)
	}
	return nil
}

// errScheduled marks the not-found error of a secret scheduled for deletion.
var errScheduled = errors.New("scheduled for deletion")

// wrap maps an API error to an errs kind. AWS messages name resources, never values.
func (p *Provider) wrap(err error, op, name string) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		msg := ae.ErrorMessage()
		switch ae.ErrorCode() {
		case "ResourceNotFoundException":
			return providers.NotFound(p, name)
		case "InvalidRequestException":
			if strings.Contains(msg, "marked for deletion") || strings.Contains(msg, "scheduled for deletion") {
				return errs.Wrap(errs.NotFound, errScheduled, "secret %q in %s is", name, p.Where()).
					WithHint("set it again to restore it, or restore it in AWS")
			}
			return errs.New(errs.Conflict, "aws refused to %s %s: %s", op, name, msg)
		case "AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException",
			"SignatureDoesNotMatch", "ExpiredTokenException", "InvalidClientTokenId", "IncompleteSignature", "MissingAuthenticationToken":
			return errs.New(errs.Permission, "aws refused to %s %s: %s (%s)", op, name, msg, ae.ErrorCode()).
				WithHint("check the AWS credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID, ...) and the IAM policy for secretsmanager")
		case "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded", "LimitExceededException":
			return providers.Throttled("aws secrets manager", op, name)
		case "InvalidParameterException", "ValidationException", "ResourceExistsException", "MalformedPolicyDocumentException":
			return errs.New(errs.Input, "aws refused to %s %s: %s", op, name, msg)
		}
		return errs.New(errs.Internal, "aws failed to %s %s: %s (%s)", op, name, msg, ae.ErrorCode())
	}
	if strings.Contains(err.Error(), "get identity: get credentials") {
		return errs.Wrap(errs.Permission, err, "no usable aws credentials to %s %s", op, name).
			WithHint("configure the AWS default chain (AWS_PROFILE, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, SSO, a role) or accessKeyId/secretAccessKey in agent.yaml")
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return errs.Wrap(errs.Internal, err, "cannot reach aws secrets manager to %s %s", op, name).
			WithHint("check the network, AWS_ENDPOINT_URL and AWS_REGION")
	}
	return errs.Wrap(errs.Internal, err, "aws secrets manager: %s %s", op, name)
}
