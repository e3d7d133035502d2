package azurekv

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azsecrets"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/providers"
)

// MaxValueSize is Key Vault's limit for a secret value (25 KiB), after base64 for binary
// values.
const MaxValueSize = 25 * 1024

// ContentTypeBase64 marks a value swiftclaw stored base64-encoded because it is not UTF-8.
const ContentTypeBase64 = "application/octet-stream; encoding=base64"

var nameRE = regexp.MustCompile(`^[0-9A-Za-z-]{1,127}$`)

// Options configure New.
type Options struct {
	// VaultURL is https://NAME.vault.azure.net.
	VaultURL string
	// TenantID, ClientID and ClientSecret select a service principal; when any is empty
	// Azure's environment credential is used.
	TenantID, ClientID, ClientSecret string
	// Credential replaces both (tests).
	Credential azcore.TokenCredential
	// Transport replaces the HTTP transport (tests: the azsecrets/fake server).
	Transport policy.Transporter
	// Retry tunes retries of throttled and failed requests (default: the client's).
	Retry policy.RetryOptions
}

// Provider is one agent's secrets in a key vault.
type Provider struct {
	c   *azsecrets.Client
	url string
	// recoverWait is how long Set waits between attempts while a recovered secret
	// becomes usable.
	recoverWait time.Duration
}

var _ providers.Provider = (*Provider)(nil)

// New connects to the vault; it makes no request.
func New(opts Options) (*Provider, error) {
	if opts.VaultURL == "" {
		return nil, errs.New(errs.Input, "no key vault URL").
			WithHint("set vaultUrl in agent.yaml's secrets block, e.g. https://my-vault.vault.azure.net")
	}
	cred := opts.Credential
	if cred == nil {
		var err error
		if opts.TenantID != "" && opts.ClientID != "" && opts.ClientSecret != "" {
			cred, err = azidentity.NewClientSecretCredential(opts.TenantID, opts.ClientID, opts.ClientSecret, nil)
		} else {
			cred, err = azidentity.NewEnvironmentCredential(nil)
		}
		if err != nil {
			return nil, errs.Wrap(errs.Permission, err, "azure credentials").
				WithHint("set tenantId, clientId and clientSecret (as env:VAR or secret:NAME) in agent.yaml, or AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET")
		}
	}
	cred = tokenErrors{cred}
	co := &azsecrets.ClientOptions{ClientOptions: azcore.ClientOptions{Retry: opts.Retry}}
	if opts.Transport != nil {
		co.Transport = opts.Transport
	}
	c, err := azsecrets.NewClient(opts.VaultURL, cred, co)
	if err != nil {
		return nil, errs.Wrap(errs.Input, err, "key vault client for %s", opts.VaultURL)
	}
	return &Provider{c: c, url: opts.VaultURL, recoverWait: time.Second}, nil
}

// Kind returns providers.Azure.
func (p *Provider) Kind() string { return providers.Azure }

// Where names the vault.
func (p *Provider) Where() string { return "azure key vault " + p.url }

// MaxValueSize is MaxValueSize.
func (p *Provider) MaxValueSize() int { return MaxValueSize }

func checkName(name string) error {
	if err := providers.ValidateName(name); err != nil {
		return err
	}
	if !nameRE.MatchString(name) {
		return errs.New(errs.Input, "%q cannot be an azure key vault secret name: only letters, digits and '-' are allowed", name).
			WithHint("rename the secret, e.g. %s", regexp.MustCompile(`[^0-9A-Za-z-]`).ReplaceAllString(name, "-"))
	}
	return nil
}

func encode(v []byte) (value string, contentType *string) {
	if utf8.Valid(v) {
		return string(v), nil
	}
	ct := ContentTypeBase64
	return base64.StdEncoding.EncodeToString(v), &ct
}

func decode(s azsecrets.Secret) ([]byte, error) {
	v := deref(s.Value)
	if deref(s.ContentType) == ContentTypeBase64 {
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return nil, errs.New(errs.Input, "%s is marked base64 but is not", s.ID.Name())
		}
		return b, nil
	}
	return []byte(v), nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func meta(name string, a *azsecrets.SecretAttributes, tags map[string]*string, id *azsecrets.ID) providers.Meta {
	m := providers.Meta{Name: name, Description: deref(tags["description"])}
	if a != nil {
		m.Created, m.Updated, m.Expires = deref(a.Created), deref(a.Updated), a.Expires
	}
	if id != nil {
		m.Version = id.Version()
	}
	return m
}

// Get reads the current version, or the given one.
func (p *Provider) Get(ctx context.Context, name, version string) (*providers.Secret, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	r, err := p.c.GetSecret(ctx, name, version, nil)
	if err != nil {
		if version != "" && isStatus(err, http.StatusNotFound) {
			return nil, errs.New(errs.NotFound, "%s has no version %q in %s", name, version, p.Where())
		}
		return nil, p.wrap(err, "read", name)
	}
	v, err := decode(r.Secret)
	if err != nil {
		return nil, err
	}
	return &providers.Secret{Meta: meta(name, r.Attributes, r.Tags, r.ID), Value: v}, nil
}

// Set writes a new version unless the value is already current; a soft-deleted secret is
// recovered first.
func (p *Provider) Set(ctx context.Context, name string, value []byte, opts providers.SetOptions) (*providers.SetResult, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	enc, ct := encode(value)
	if len(enc) > MaxValueSize {
		return nil, providers.TooLarge(p, name, len(value))
	}
	res := &providers.SetResult{}
	cur, err := p.c.GetSecret(ctx, name, "", nil)
	tags := map[string]*string{}
	var attrs azsecrets.SecretAttributes
	switch {
	case err == nil:
		res.Meta = meta(name, cur.Attributes, cur.Tags, cur.ID)
		for k, v := range cur.Tags {
			tags[k] = v
		}
		if cur.Attributes != nil {
			attrs.Expires = cur.Attributes.Expires
		}
	case isStatus(err, http.StatusNotFound):
		res.Created = true
	default:
		return nil, p.wrap(err, "read", name)
	}
	if opts.Description != nil {
		tags["description"] = opts.Description
	}
	switch {
	case opts.NoExpiry:
		attrs.Expires = nil
	case opts.TTL > 0:
		exp := time.Now().Add(opts.TTL).UTC().Truncate(time.Second)
		attrs.Expires = &exp
	}
	same := err == nil && deref(cur.Value) == enc && deref(cur.ContentType) == deref(ct)
	if same {
		if opts.Description == nil && opts.TTL == 0 && !opts.NoExpiry {
			return res, nil
		}
		// Only metadata changes: update the current version's properties.
		u, err := p.c.UpdateSecretProperties(ctx, name, cur.ID.Version(), azsecrets.UpdateSecretPropertiesParameters{
			Tags: tags, SecretAttributes: &azsecrets.SecretAttributes{Expires: attrs.Expires},
		}, nil)
		if err != nil {
			return nil, p.wrap(err, "update", name)
		}
		res.Meta = meta(name, u.Attributes, u.Tags, u.ID)
		return res, nil
	}
	params := azsecrets.SetSecretParameters{Value: &enc, ContentType: ct, Tags: tags, SecretAttributes: &attrs}
	r, err := p.c.SetSecret(ctx, name, params, nil)
	if isStatus(err, http.StatusConflict) {
		r, err = p.recoverAndSet(ctx, name, params)
	}
	if err != nil {
		return nil, p.wrap(err, "write", name)
	}
	res.Changed = true
	res.Meta = meta(name, r.Attributes, r.Tags, r.ID)
	return res, nil
}

// recoverAndSet recovers a soft-deleted secret and writes the new value. Recovery
// completes asynchronously in Key Vault, so the write is retried while it conflicts.
func (p *Provider) recoverAndSet(ctx context.Context, name string, params azsecrets.SetSecretParameters) (azsecrets.SetSecretResponse, error) {
	if _, err := p.c.RecoverDeletedSecret(ctx, name, nil); err != nil {
		return azsecrets.SetSecretResponse{}, err
	}
	var last error
	for range 30 {
		r, err := p.c.SetSecret(ctx, name, params, nil)
		if !isStatus(err, http.StatusConflict) {
			return r, err
		}
		last = err
		select {
		case <-ctx.Done():
			return r, ctx.Err()
		case <-time.After(p.recoverWait):
		}
	}
	return azsecrets.SetSecretResponse{}, last
}

// List lists the vault's secrets (not the ones Key Vault manages for certificates).
func (p *Provider) List(ctx context.Context) ([]providers.Meta, error) {
	var out []providers.Meta
	pager := p.c.NewListSecretPropertiesPager(nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, p.wrap(err, "list", "secrets")
		}
		for _, s := range page.Value {
			if s.ID == nil || deref(s.Managed) || providers.ValidateName(s.ID.Name()) != nil {
				continue
			}
			out = append(out, meta(s.ID.Name(), s.Attributes, s.Tags, nil))
		}
	}
	return providers.SortMetas(out), nil
}

// Versions lists the secret's versions: the current one first, then newest first.
func (p *Provider) Versions(ctx context.Context, name string) ([]providers.Version, error) {
	cur, err := p.Get(ctx, name, "")
	if err != nil {
		return nil, err
	}
	var out []providers.Version
	pager := p.c.NewListSecretPropertiesVersionsPager(name, nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, p.wrap(err, "list versions of", name)
		}
		for _, s := range page.Value {
			if s.ID == nil {
				continue
			}
			v := providers.Version{ID: s.ID.Version(), Status: providers.StatusDeprecated}
			if s.Attributes != nil {
				v.Created = deref(s.Attributes.Created)
				if s.Attributes.Enabled != nil && !*s.Attributes.Enabled {
					v.Status = providers.StatusDeleted
				}
			}
			if v.ID == cur.Version {
				v.Status = providers.StatusActive
			}
			out = append(out, v)
		}
	}
	// Key Vault's times have one-second resolution; among equal times the later-listed
	// version is taken as newer.
	slices.Reverse(out)
	return providers.SortVersions(out), nil
}

// Rollback writes version's value as a new version.
func (p *Provider) Rollback(ctx context.Context, name, version string) (*providers.SetResult, error) {
	old, err := p.Get(ctx, name, version)
	if err != nil {
		return nil, err
	}
	return p.Set(ctx, name, old.Value, providers.SetOptions{})
}

// Remove soft-deletes the secret.
func (p *Provider) Remove(ctx context.Context, name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	if _, err := p.c.DeleteSecret(ctx, name, nil); err != nil {
		return p.wrap(err, "remove", name)
	}
	return nil
}

func isStatus(err error, code int) bool {
	var re *azcore.ResponseError
	return errors.As(err, &re) && re.StatusCode == code
}

// wrap maps a client error to an errs kind. Key Vault's messages never hold values.
func (p *Provider) wrap(err error, op, name string) error {
	var re *azcore.ResponseError
	var af *azidentity.AuthenticationFailedError
	var ne net.Error
	switch {
	case errors.As(err, &re):
		switch re.StatusCode {
		case http.StatusNotFound:
			return providers.NotFound(p, name)
		case http.StatusUnauthorized, http.StatusForbidden:
			return errs.New(errs.Permission, "azure key vault refused to %s %s (%d %s)", op, name, re.StatusCode, re.ErrorCode).
				WithHint("check the service principal (tenantId, clientId, clientSecret or AZURE_* variables) and its access to %s", p.url)
		case http.StatusConflict:
			return errs.New(errs.Conflict, "azure key vault refused to %s %s: %s", op, name, re.ErrorCode).
				WithHint("a soft-deleted secret of this name may need recovering or purging: `az keyvault secret recover --name %s`", name)
		case http.StatusTooManyRequests:
			return providers.Throttled("azure key vault", op, name)
		}
		if re.StatusCode < 500 {
			return errs.New(errs.Input, "azure key vault refused to %s %s (%d %s)", op, name, re.StatusCode, re.ErrorCode)
		}
		return errs.New(errs.Internal, "azure key vault failed to %s %s (%d %s)", op, name, re.StatusCode, re.ErrorCode)
	case errors.As(err, &af), errors.As(err, new(tokenError)):
		return errs.New(errs.Permission, "azure authentication failed, so swiftclaw cannot %s %s", op, name).
			WithHint("check tenantId, clientId and clientSecret (or AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET)")
	case errors.As(err, &ne):
		return errs.Wrap(errs.Internal, err, "cannot reach %s to %s %s", p.url, op, name).
			WithHint("check vaultUrl and the network")
	}
	return errs.Wrap(errs.Internal, err, "azure key vault: %s %s", op, name)
}

// tokenErrors marks every failure to get a token, whichever credential type failed and
// however it reports it, so wrap can tell an authentication failure from others.
type tokenErrors struct{ azcore.TokenCredential }

type tokenError struct{ error }

func (e tokenError) Unwrap() error { return e.error }

func (c tokenErrors) GetToken(ctx context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	t, err := c.TokenCredential.GetToken(ctx, o)
	if err != nil {
		err = tokenError{err}
	}
	return t, err
}

// String is for messages.
func (p *Provider) String() string { return fmt.Sprintf("azure-keyvault(%s)", p.url) }

// CheckName reports whether name can be a Key Vault secret name.
func (p *Provider) CheckName(name string) error { return checkName(name) }
