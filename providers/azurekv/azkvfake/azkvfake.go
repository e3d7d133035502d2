package azkvfake

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	azfake "github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azsecrets"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azsecrets/fake"
)

// Vault is the in-memory state shared by every transport made from it.
type Vault struct {
	// URL is the vault's URL, used in secret ids.
	URL string

	mu       sync.Mutex
	secrets  map[string]*secret
	throttle int
	now      func() time.Time
}

type secret struct {
	versions []*azsecrets.Secret // oldest first
	deleted  *time.Time
}

// New returns an empty vault.
func New(url string) *Vault {
	return &Vault{URL: url, secrets: map[string]*secret{}, now: time.Now}
}

// Throttle makes the next n requests fail with 429 Too Many Requests.
func (v *Vault) Throttle(n int) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.throttle = n
}

// Credential is a token credential the fake accepts.
func Credential() *azfake.TokenCredential { return &azfake.TokenCredential{} }

// Transport returns a transport answering from v. With forbidden, every request gets
// 403 Forbidden, as Key Vault answers a principal without access to the vault.
func (v *Vault) Transport(forbidden bool) policy.Transporter {
	return &throttler{v: v, next: fake.NewServerTransport(v.server(forbidden))}
}

// throttler answers 429 while v.throttle lasts. It sits in front of the fake server
// transport because that transport's own error responses are marked non-retriable,
// while a real 429 is retried by the client's retry policy.
type throttler struct {
	v    *Vault
	next policy.Transporter
}

func (t *throttler) Do(req *http.Request) (*http.Response, error) {
	t.v.mu.Lock()
	throttled := t.v.throttle > 0
	if throttled {
		t.v.throttle--
	}
	t.v.mu.Unlock()
	if !throttled {
		return t.next.Do(req)
	}
	body := `{"error":{"code":"Throttled","message":"Request was not processed because too many requests were received."}}`
	return &http.Response{
		StatusCode: http.StatusTooManyRequests, Status: "429 Too Many Requests", Request: req,
		Header: http.Header{"Content-Type": {"application/json"}, "Retry-After": {"0"}},
		Body:   io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)),
	}, nil
}

// deny reports whether a request must fail before it is served, and sets errResp.
func (v *Vault) deny(forbidden bool, errResp *azfake.ErrorResponder) bool {
	if forbidden {
		errResp.SetResponseError(http.StatusForbidden, "Forbidden")
	}
	return forbidden
}

func newVersion() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (v *Vault) live(name string) *secret {
	s := v.secrets[name]
	if s == nil || s.deleted != nil || len(s.versions) == 0 {
		return nil
	}
	return s
}

func clone(s *azsecrets.Secret) azsecrets.Secret {
	c := *s
	a := *s.Attributes
	c.Attributes = &a
	c.Tags = map[string]*string{}
	for k, t := range s.Tags {
		c.Tags[k] = t
	}
	return c
}

func props(s *azsecrets.Secret) *azsecrets.SecretProperties {
	c := clone(s)
	return &azsecrets.SecretProperties{Attributes: c.Attributes, ContentType: c.ContentType, ID: c.ID, Tags: c.Tags}
}

func (v *Vault) server(forbidden bool) *fake.Server {
	return &fake.Server{
		GetSecret: func(_ context.Context, name, version string, _ *azsecrets.GetSecretOptions) (resp azfake.Responder[azsecrets.GetSecretResponse], errResp azfake.ErrorResponder) {
			v.mu.Lock()
			defer v.mu.Unlock()
			if v.deny(forbidden, &errResp) {
				return
			}
			s := v.live(name)
			if s == nil {
				errResp.SetResponseError(http.StatusNotFound, "SecretNotFound")
				return
			}
			var found *azsecrets.Secret
			for _, ver := range s.versions {
				if version == "" || ver.ID.Version() == version {
					found = ver // the newest when no version is given
				}
			}
			switch {
			case found == nil:
				errResp.SetResponseError(http.StatusNotFound, "SecretNotFound")
			case found.Attributes.Enabled != nil && !*found.Attributes.Enabled:
				errResp.SetResponseError(http.StatusForbidden, "Forbidden") // "Operation get is not allowed on a disabled secret."
			default:
				resp.SetResponse(http.StatusOK, azsecrets.GetSecretResponse{Secret: clone(found)}, nil)
			}
			return
		},
		SetSecret: func(_ context.Context, name string, p azsecrets.SetSecretParameters, _ *azsecrets.SetSecretOptions) (resp azfake.Responder[azsecrets.SetSecretResponse], errResp azfake.ErrorResponder) {
			v.mu.Lock()
			defer v.mu.Unlock()
			if v.deny(forbidden, &errResp) {
				return
			}
			s := v.secrets[name]
			if s != nil && s.deleted != nil {
				errResp.SetResponseError(http.StatusConflict, "Conflict") // deleted but recoverable
				return
			}
			if s == nil {
				s = &secret{}
				v.secrets[name] = s
			}
			now := v.now().UTC().Truncate(time.Second)
			enabled := true
			attrs := azsecrets.SecretAttributes{Enabled: &enabled, Created: &now, Updated: &now}
			if p.SecretAttributes != nil {
				attrs.Expires, attrs.NotBefore = p.SecretAttributes.Expires, p.SecretAttributes.NotBefore
				if p.SecretAttributes.Enabled != nil {
					attrs.Enabled = p.SecretAttributes.Enabled
				}
			}
			id := azsecrets.ID(v.URL + "/secrets/" + name + "/" + newVersion())
			ver := &azsecrets.Secret{ID: &id, Value: p.Value, ContentType: p.ContentType, Tags: p.Tags, Attributes: &attrs}
			s.versions = append(s.versions, ver)
			resp.SetResponse(http.StatusOK, azsecrets.SetSecretResponse{Secret: clone(ver)}, nil)
			return
		},
		UpdateSecretProperties: func(_ context.Context, name, version string, p azsecrets.UpdateSecretPropertiesParameters, _ *azsecrets.UpdateSecretPropertiesOptions) (resp azfake.Responder[azsecrets.UpdateSecretPropertiesResponse], errResp azfake.ErrorResponder) {
			v.mu.Lock()
			defer v.mu.Unlock()
			if v.deny(forbidden, &errResp) {
				return
			}
			s := v.live(name)
			var ver *azsecrets.Secret
			if s != nil {
				for _, c := range s.versions {
					if version == "" || c.ID.Version() == version {
						ver = c
					}
				}
			}
			if ver == nil {
				errResp.SetResponseError(http.StatusNotFound, "SecretNotFound")
				return
			}
			if p.ContentType != nil {
				ver.ContentType = p.ContentType
			}
			if p.Tags != nil {
				ver.Tags = p.Tags
			}
			if a := p.SecretAttributes; a != nil {
				ver.Attributes.Expires = a.Expires
				if a.Enabled != nil {
					ver.Attributes.Enabled = a.Enabled
				}
			}
			now := v.now().UTC().Truncate(time.Second)
			ver.Attributes.Updated = &now
			resp.SetResponse(http.StatusOK, azsecrets.UpdateSecretPropertiesResponse{Secret: clone(ver)}, nil)
			return
		},
		NewListSecretPropertiesPager: func(_ *azsecrets.ListSecretPropertiesOptions) (resp azfake.PagerResponder[azsecrets.ListSecretPropertiesResponse]) {
			v.mu.Lock()
			defer v.mu.Unlock()
			var errResp azfake.ErrorResponder
			if v.deny(forbidden, &errResp) {
				resp.AddResponseError(http.StatusForbidden, "Forbidden")
				return
			}
			var names []string
			for name := range v.secrets {
				if v.live(name) != nil {
					names = append(names, name)
				}
			}
			sort.Strings(names)
			// Pages of two, so the client follows nextLink as it must with a real vault.
			for i := 0; i < len(names) || i == 0; i += 2 {
				var page azsecrets.ListSecretPropertiesResponse
				for _, name := range names[i:min(i+2, len(names))] {
					s := v.secrets[name]
					page.Value = append(page.Value, props(s.versions[len(s.versions)-1]))
				}
				resp.AddPage(http.StatusOK, page, nil)
				if len(names) == 0 {
					break
				}
			}
			return
		},
		NewListSecretPropertiesVersionsPager: func(name string, _ *azsecrets.ListSecretPropertiesVersionsOptions) (resp azfake.PagerResponder[azsecrets.ListSecretPropertiesVersionsResponse]) {
			v.mu.Lock()
			defer v.mu.Unlock()
			var errResp azfake.ErrorResponder
			if v.deny(forbidden, &errResp) {
				resp.AddResponseError(http.StatusForbidden, "Forbidden")
				return
			}
			var page azsecrets.ListSecretPropertiesVersionsResponse
			if s := v.live(name); s != nil {
				for _, ver := range s.versions {
					page.Value = append(page.Value, props(ver))
				}
			}
			resp.AddPage(http.StatusOK, page, nil)
			return
		},
		DeleteSecret: func(_ context.Context, name string, _ *azsecrets.DeleteSecretOptions) (resp azfake.Responder[azsecrets.DeleteSecretResponse], errResp azfake.ErrorResponder) {
			v.mu.Lock()
			defer v.mu.Unlock()
			if v.deny(forbidden, &errResp) {
				return
			}
			s := v.live(name)
			if s == nil {
				errResp.SetResponseError(http.StatusNotFound, "SecretNotFound")
				return
			}
			now := v.now().UTC()
			s.deleted = &now
			cur := clone(s.versions[len(s.versions)-1])
			resp.SetResponse(http.StatusOK, azsecrets.DeleteSecretResponse{DeletedSecret: azsecrets.DeletedSecret{
				ID: cur.ID, Attributes: cur.Attributes, Tags: cur.Tags, ContentType: cur.ContentType, DeletedDate: &now,
			}}, nil)
			return
		},
		RecoverDeletedSecret: func(_ context.Context, name string, _ *azsecrets.RecoverDeletedSecretOptions) (resp azfake.Responder[azsecrets.RecoverDeletedSecretResponse], errResp azfake.ErrorResponder) {
			v.mu.Lock()
			defer v.mu.Unlock()
			if v.deny(forbidden, &errResp) {
				return
			}
			s := v.secrets[name]
			if s == nil || s.deleted == nil {
				errResp.SetResponseError(http.StatusNotFound, "DeletedSecretNotFound")
				return
			}
			s.deleted = nil
			cur := clone(s.versions[len(s.versions)-1])
			cur.Value = nil // the REST response carries the secret's properties, not its value
			resp.SetResponse(http.StatusOK, azsecrets.RecoverDeletedSecretResponse{Secret: cur}, nil)
			return
		},
		PurgeDeletedSecret: func(_ context.Context, name string, _ *azsecrets.PurgeDeletedSecretOptions) (resp azfake.Responder[azsecrets.PurgeDeletedSecretResponse], errResp azfake.ErrorResponder) {
			v.mu.Lock()
			defer v.mu.Unlock()
			if v.deny(forbidden, &errResp) {
				return
			}
			s := v.secrets[name]
			if s == nil || s.deleted == nil {
				errResp.SetResponseError(http.StatusNotFound, "DeletedSecretNotFound")
				return
			}
			delete(v.secrets, name)
			resp.SetResponse(http.StatusNoContent, azsecrets.PurgeDeletedSecretResponse{}, nil)
			return
		},
	}
}
