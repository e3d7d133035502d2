package hashivault

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/vault/api"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/providers"
)

// maxJSONString is Vault's default limit for one JSON string in a request
// (max_json_string_value_length, 1 MiB), counted as encoded, escapes included.
const maxJSONString = 1 << 20

// MaxValueSize is the largest value stored: any value up to it fits in one JSON string
// even base64-encoded (3/4 MiB).
const MaxValueSize = maxJSONString / 4 * 3

// Options configure New. Empty fields fall back to the client's environment.
type Options struct {
	// Address of the server (default VAULT_ADDR).
	Address string
	// Token to authenticate with (default VAULT_TOKEN).
	Token string
	// Namespace (Vault Enterprise; default VAULT_NAMESPACE).
	Namespace string
	// Path is the KV v2 mount and folder: secret/data/my-agent or secret/my-agent.
	Path string
	// HTTPClient replaces the client's transport (tests).
	HTTPClient *http.Client
	// MaxRetries and MinRetryWait tune retries of throttled and failed requests
	// (defaults: the client's, 2 retries waiting at least 1s).
	MaxRetries   int
	MinRetryWait time.Duration
}

// Provider is one agent's secrets in a KV v2 folder.
type Provider struct {
	c      *api.Client
	kv     *api.KVv2
	mount  string
	folder string
	addr   string
}

var _ providers.Provider = (*Provider)(nil)

// SplitPath splits a KV v2 path into its mount and the folder below it, dropping the
// data/ segment the HTTP API adds: "secret/data/my-agent" -> "secret", "my-agent".
func SplitPath(p string) (mount, folder string, err error) {
	p = strings.Trim(p, "/")
	mount, rest, _ := strings.Cut(p, "/")
	if mount == "" {
		return "", "", errs.New(errs.Input, "vault path %q names no KV mount", p).
			WithHint("write it as MOUNT/data/FOLDER, e.g. secret/data/my-agent")
	}
	if r, ok := strings.CutPrefix(rest, "data/"); ok {
		rest = r
	} else if rest == "data" {
		rest = ""
	}
	if slices.Contains(strings.Split(rest, "/"), "..") {
		return "", "", errs.New(errs.Input, "vault path %q contains \"..\"", p)
	}
	return mount, rest, nil
}

// New connects to Vault; it makes no request.
func New(opts Options) (*Provider, error) {
	cfg := api.DefaultConfig()
	if cfg.Error != nil {
		return nil, errs.Wrap(errs.Input, cfg.Error, "vault client configuration")
	}
	if opts.Address != "" {
		cfg.Address = opts.Address
	}
	if opts.HTTPClient != nil {
		cfg.HttpClient = opts.HTTPClient
	}
	if opts.MaxRetries > 0 {
		cfg.MaxRetries = opts.MaxRetries
	}
	if opts.MinRetryWait > 0 {
		cfg.MinRetryWait, cfg.MaxRetryWait = opts.MinRetryWait, 2*opts.MinRetryWait
	}
	c, err := api.NewClient(cfg)
	if err != nil {
		return nil, errs.Wrap(errs.Input, err, "vault client for %s", cfg.Address)
	}
	if opts.Token != "" {
		c.SetToken(opts.Token)
	}
	if opts.Namespace != "" {
		c.SetNamespace(opts.Namespace)
	}
	if c.Token() == "" {
		return nil, errs.New(errs.Permission, "no vault token: neither agent.yaml's token nor VAULT_TOKEN is set").
			WithHint("export VAULT_TOKEN, or set token: env:VAR or token: secret:NAME in agent.yaml's secrets block")
	}
	mount, folder, err := SplitPath(opts.Path)
	if err != nil {
		return nil, err
	}
	return &Provider{c: c, kv: c.KVv2(mount), mount: mount, folder: folder, addr: cfg.Address}, nil
}

// Kind returns providers.Vault.
func (p *Provider) Kind() string { return providers.Vault }

// Where names the server and KV path.
func (p *Provider) Where() string {
	return fmt.Sprintf("vault %s (%s/data/%s)", p.addr, p.mount, p.folder)
}

// MaxValueSize is MaxValueSize.
func (p *Provider) MaxValueSize() int { return MaxValueSize }

func (p *Provider) path(name string) (string, error) {
	if err := providers.ValidateName(name); err != nil {
		return "", err
	}
	if p.folder == "" {
		return name, nil
	}
	return p.folder + "/" + name, nil
}

// encode and decode map a value to the KV fields and back. Text is stored as it is unless
// its JSON escapes would take it past Vault's string limit; other values are base64.
func encode(v []byte) map[string]any {
	if utf8.Valid(v) {
		if j, err := json.Marshal(string(v)); err == nil && len(j)-2 <= maxJSONString {
			return map[string]any{"value": string(v)}
		}
	}
	return map[string]any{"value": base64.StdEncoding.EncodeToString(v), "encoding": "base64"}
}

func decode(data map[string]any, name string) ([]byte, error) {
	s, ok := data["value"].(string)
	if !ok {
		keys := make([]string, 0, len(data))
		for k := range data {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		return nil, errs.New(errs.Input, "vault secret %s has no string field \"value\" (fields: %s); it was not written by swiftclaw", name, strings.Join(keys, ", ")).
			WithHint("read one field with a reference: vault:PATH#FIELD")
	}
	if data["encoding"] == "base64" {
		v, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, errs.New(errs.Input, "vault secret %s says base64 but is not", name)
		}
		return v, nil
	}
	return []byte(s), nil
}

func description(custom map[string]any) string {
	d, _ := custom["description"].(string)
	return d
}

// ParseVersion accepts "v3" or "3".
func ParseVersion(v string) (int, error) {
	n, err := strconv.Atoi(strings.TrimPrefix(v, "v"))
	if err != nil || n < 1 {
		return 0, errs.New(errs.Input, "invalid vault version %q", v).WithHint("versions look like v3; list them with `swiftclaw secrets versions AGENT NAME`")
	}
	return n, nil
}

// Get reads the current value, or version ("v2") when given.
func (p *Provider) Get(ctx context.Context, name, version string) (*providers.Secret, error) {
	kp, err := p.path(name)
	if err != nil {
		return nil, err
	}
	var s *api.KVSecret
	if version == "" {
		s, err = p.kv.Get(ctx, kp)
	} else {
		n, perr := ParseVersion(version)
		if perr != nil {
			return nil, perr
		}
		s, err = p.kv.GetVersion(ctx, kp, n)
	}
	if err != nil {
		return nil, p.wrap(err, "read", name)
	}
	if s.Data == nil { // the version was deleted
		if version == "" {
			return nil, providers.NotFound(p, name)
		}
		return nil, errs.New(errs.NotFound, "version %s of %s was deleted in %s", version, name, p.Where())
	}
	v, err := decode(s.Data, name)
	if err != nil {
		return nil, err
	}
	m := providers.Meta{Name: name, Description: description(s.CustomMetadata)}
	if s.VersionMetadata != nil {
		m.Version = "v" + strconv.Itoa(s.VersionMetadata.Version)
		m.Updated = s.VersionMetadata.CreatedTime
		m.Created = s.VersionMetadata.CreatedTime
	}
	if md, err := p.kv.GetMetadata(ctx, kp); err == nil {
		m.Created = md.CreatedTime
	}
	return &providers.Secret{Meta: m, Value: v}, nil
}

// Set writes value as a new version unless it is already the current one, using
// check-and-set against the version it read.
func (p *Provider) Set(ctx context.Context, name string, value []byte, opts providers.SetOptions) (*providers.SetResult, error) {
	kp, err := p.path(name)
	if err != nil {
		return nil, err
	}
	if err := providers.CheckSize(p, name, value); err != nil {
		return nil, err
	}
	if opts.TTL > 0 {
		return nil, providers.NoExpiry(providers.Vault)
	}
	res := &providers.SetResult{}
	cur, err := p.Get(ctx, name, "")
	cas := 0
	switch {
	case err == nil:
		cas, _ = ParseVersion(cur.Version)
		res.Meta = cur.Meta
	case errs.KindOf(err) == errs.NotFound:
		res.Created = true
		if md, merr := p.kv.GetMetadata(ctx, kp); merr == nil {
			cas = md.CurrentVersion // the latest version was deleted; metadata remains
		}
	default:
		return nil, err
	}
	if res.Created || !bytesEqual(cur.Value, value) {
		s, err := p.kv.Put(ctx, kp, encode(value), api.WithCheckAndSet(cas))
		if err != nil {
			return nil, p.wrap(err, "write", name)
		}
		res.Changed = true
		res.Meta.Name = name
		res.Meta.Version = "v" + strconv.Itoa(s.VersionMetadata.Version)
		res.Meta.Updated = s.VersionMetadata.CreatedTime
		if res.Created {
			res.Meta.Created = s.VersionMetadata.CreatedTime
		}
	}
	if opts.Description != nil && *opts.Description != res.Meta.Description {
		err := p.kv.PatchMetadata(ctx, kp, api.KVMetadataPatchInput{CustomMetadata: map[string]any{"description": *opts.Description}})
		if err != nil {
			return nil, p.wrap(err, "write metadata of", name)
		}
		res.Meta.Description = *opts.Description
	}
	return res, nil
}

func bytesEqual(a, b []byte) bool { return string(a) == string(b) }

// List lists the folder's secrets with their metadata.
func (p *Provider) List(ctx context.Context) ([]providers.Meta, error) {
	listPath := p.mount + "/metadata/" + p.folder
	s, err := p.c.Logical().ListWithContext(ctx, listPath)
	if err != nil {
		return nil, p.wrap(err, "list", p.folder)
	}
	if s == nil || s.Data == nil {
		return nil, nil
	}
	keys, _ := s.Data["keys"].([]any)
	var out []providers.Meta
	for _, k := range keys {
		name, _ := k.(string)
		if name == "" || strings.HasSuffix(name, "/") || providers.ValidateName(name) != nil {
			continue // sub-folders and names swiftclaw would not write
		}
		kp, _ := p.path(name)
		md, err := p.kv.GetMetadata(ctx, kp)
		if err != nil {
			return nil, p.wrap(err, "read metadata of", name)
		}
		cur, ok := md.Versions[strconv.Itoa(md.CurrentVersion)]
		if ok && (!cur.DeletionTime.IsZero() || cur.Destroyed) {
			continue // its latest version is deleted: not a live secret
		}
		out = append(out, providers.Meta{
			Name: name, Description: description(md.CustomMetadata),
			Created: md.CreatedTime, Updated: md.UpdatedTime, Version: "v" + strconv.Itoa(md.CurrentVersion),
		})
	}
	return providers.SortMetas(out), nil
}

// Versions lists KV versions, newest first.
func (p *Provider) Versions(ctx context.Context, name string) ([]providers.Version, error) {
	kp, err := p.path(name)
	if err != nil {
		return nil, err
	}
	md, err := p.kv.GetMetadata(ctx, kp)
	if err != nil {
		return nil, p.wrap(err, "read versions of", name)
	}
	out := make([]providers.Version, 0, len(md.Versions))
	for _, v := range md.Versions {
		st := providers.StatusDeprecated
		switch {
		case !v.DeletionTime.IsZero() || v.Destroyed:
			st = providers.StatusDeleted
		case v.Version == md.CurrentVersion:
			st = providers.StatusActive
		}
		out = append(out, providers.Version{ID: "v" + strconv.Itoa(v.Version), Created: v.CreatedTime, Status: st})
	}
	slices.SortFunc(out, func(a, b providers.Version) int {
		x, _ := ParseVersion(a.ID)
		y, _ := ParseVersion(b.ID)
		return y - x
	})
	return out, nil
}

// Rollback writes version's value as a new version (nothing when it is already current).
func (p *Provider) Rollback(ctx context.Context, name, version string) (*providers.SetResult, error) {
	old, err := p.Get(ctx, name, version)
	if err != nil {
		return nil, err
	}
	return p.Set(ctx, name, old.Value, providers.SetOptions{})
}

// Remove deletes the secret with all its versions and metadata.
func (p *Provider) Remove(ctx context.Context, name string) error {
	kp, err := p.path(name)
	if err != nil {
		return err
	}
	if _, err := p.kv.GetMetadata(ctx, kp); err != nil {
		return p.wrap(err, "remove", name)
	}
	if err := p.kv.DeleteMetadata(ctx, kp); err != nil {
		return p.wrap(err, "remove", name)
	}
	return nil
}

// wrap maps a client error to an errs kind. Vault's messages name paths, never values.
func (p *Provider) wrap(err error, op, name string) error {
	if errors.Is(err, api.ErrSecretNotFound) {
		return providers.NotFound(p, name)
	}
	var re *api.ResponseError
	if errors.As(err, &re) {
		msg := strings.Join(re.Errors, "; ")
		switch {
		case re.StatusCode == http.StatusNotFound:
			return providers.NotFound(p, name)
		case re.StatusCode == http.StatusUnauthorized || re.StatusCode == http.StatusForbidden:
			return errs.New(errs.Permission, "vault refused to %s %s: %s", op, name, msg).
				WithHint("check the token (VAULT_TOKEN, or token in agent.yaml's secrets block) and its policy for %s/", p.mount)
		case re.StatusCode == http.StatusTooManyRequests:
			return providers.Throttled("vault", op, name)
		case re.StatusCode == http.StatusBadRequest && strings.Contains(msg, "check-and-set"):
			return errs.New(errs.Conflict, "%s changed in vault while it was being written", name).
				WithHint("run the command again")
		case re.StatusCode < 500:
			return errs.New(errs.Input, "vault refused to %s %s: %s", op, name, msg)
		}
		return errs.New(errs.Internal, "vault failed to %s %s: %d %s", op, name, re.StatusCode, msg)
	}
	var ue *url.Error
	var ne net.Error
	if errors.As(err, &ue) || errors.As(err, &ne) {
		return errs.Wrap(errs.Internal, err, "cannot reach vault at %s to %s %s", p.addr, op, name).
			WithHint("check VAULT_ADDR (or address in agent.yaml) and that the server is up")
	}
	return errs.Wrap(errs.Internal, err, "vault: %s %s", op, name)
}
