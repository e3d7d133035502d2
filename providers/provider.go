package providers

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/vault"
)

// The provider kinds, as agent.yaml's secrets.provider names them.
const (
	Git   = "git"
	Vault = "vault"
	AWS   = "aws-secrets-manager"
	Azure = "azure-keyvault"
)

// Kinds lists every provider kind in the order help text shows them.
func Kinds() []string { return []string{Git, Vault, AWS, Azure} }

// Version statuses, as the product page's `secrets versions` table shows them.
const (
	StatusActive     = "active"     // the current value
	StatusDeprecated = "deprecated" // an older value that can still be read and rolled back to
	StatusDeleted    = "deleted"    // an older value the store no longer returns
)

// Provider is one agent's secrets in one store. Names are swiftclaw secret names; each
// store maps them to its own (a KV path, a secret name with a prefix).
type Provider interface {
	// Kind is the provider kind (Git, Vault, AWS, Azure).
	Kind() string
	// Where describes the store for messages: address and path, region and prefix.
	Where() string
	// Get returns a secret's value and metadata; version "" is the current one.
	Get(ctx context.Context, name, version string) (*Secret, error)
	// Set stores value as name's current value. Setting the value it already has creates
	// no new version and reports Changed false.
	Set(ctx context.Context, name string, value []byte, opts SetOptions) (*SetResult, error)
	// List returns every secret's metadata, sorted by name, without values.
	List(ctx context.Context) ([]Meta, error)
	// Versions returns name's versions, newest first.
	Versions(ctx context.Context, name string) ([]Version, error)
	// Rollback makes version the current value again.
	Rollback(ctx context.Context, name, version string) (*SetResult, error)
	// Remove deletes name.
	Remove(ctx context.Context, name string) error
	// MaxValueSize is the largest value the store accepts, in bytes.
	MaxValueSize() int
}

// Meta is what a store tells about a secret besides its value.
type Meta struct {
	Name        string     `json:"name"`
	Description string     `json:"description,omitempty"`
	Created     time.Time  `json:"created"`
	Updated     time.Time  `json:"updated,omitzero"`
	Expires     *time.Time `json:"expires,omitempty"`
	// Version is the store's id of the current version ("" when it has none).
	Version string `json:"version,omitempty"`
}

// Secret is a value with its metadata.
type Secret struct {
	Meta
	Value []byte `json:"-"`
}

// Version is one version of a secret.
type Version struct {
	ID      string    `json:"version"`
	Created time.Time `json:"created"`
	Status  string    `json:"status"`
	// Labels are the store's own markers (AWS version stages), if any.
	Labels []string `json:"labels,omitempty"`
}

// SetOptions are the optional parts of Set.
type SetOptions struct {
	// Description replaces the description when non-nil.
	Description *string
	// TTL, when non-zero, makes the secret expire after it (stores with native expiry).
	TTL time.Duration
	// NoExpiry clears an expiry.
	NoExpiry bool
}

// SetResult reports a Set or Rollback.
type SetResult struct {
	Meta Meta `json:"secret"`
	// Created is true when the secret did not exist before.
	Created bool `json:"created"`
	// Changed is false when the value was already current and nothing was written.
	Changed bool `json:"value_changed"`
}

// ErrNotYet is wrapped by operations a store does not support yet.
var ErrNotYet = errors.New("not yet supported")

// NotYet returns an error for an operation kind does not support yet.
func NotYet(kind, op, hint string) error {
	return errs.Wrap(errs.Input, ErrNotYet, "%s of the %s store", op, kind).WithHint("%s", hint)
}

// NotFound is the error every store returns for an unknown secret.
func NotFound(p Provider, name string) error {
	return errs.New(errs.NotFound, "secret %q not found in %s", name, p.Where()).
		WithHint("list the secrets with `swiftclaw secrets list AGENT`")
}

// TooLarge is the error every store returns for a value over its limit.
func TooLarge(p Provider, name string, size int) error {
	return errs.New(errs.Input, "value for %s is %d bytes; %s accepts at most %d", name, size, p.Kind(), p.MaxValueSize()).
		WithHint("store large files elsewhere and keep a reference here")
}

// CheckSize returns TooLarge when value is over p's limit.
func CheckSize(p Provider, name string, value []byte) error {
	if len(value) > p.MaxValueSize() {
		return TooLarge(p, name, len(value))
	}
	return nil
}

// NoExpiry is the error for a TTL on a store without native expiry.
func NoExpiry(kind string) error {
	return errs.New(errs.Input, "%s has no native expiry, so --ttl cannot be kept there", kind).
		WithHint("drop --ttl, or keep this secret in git (`provider: git`)")
}

// SortMetas sorts by name.
func SortMetas(ms []Meta) []Meta {
	slices.SortFunc(ms, func(a, b Meta) int {
		switch {
		case a.Name < b.Name:
			return -1
		case a.Name > b.Name:
			return 1
		}
		return 0
	})
	return ms
}

// ValidateName checks a secret name the way the git store does, so a name works in every
// store (stores with stricter rules check more).
func ValidateName(name string) error { return vault.ValidateName("secret", name) }

// SortVersions puts the active version first, then the others newest first; equal times
// keep their order.
func SortVersions(vs []Version) []Version {
	slices.SortStableFunc(vs, func(a, b Version) int {
		if (a.Status == StatusActive) != (b.Status == StatusActive) {
			if a.Status == StatusActive {
				return -1
			}
			return 1
		}
		return b.Created.Compare(a.Created)
	})
	return vs
}

// Throttled is the error for requests a store still throttles after the client's retries.
func Throttled(store, op, name string) error {
	return errs.New(errs.Busy, "%s is throttling requests (%s %s), still after retries", store, op, name).
		WithHint("try again later")
}
