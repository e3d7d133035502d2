package vault

import (
	"context"
	"os"
	"strings"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// InitOptions configure Init.
type InitOptions struct {
	// Owner is the first owner's email; default `git config user.email`.
	Owner string
}

// InitResult reports what Init did.
type InitResult struct {
	Owner    string // the owner registered, "" if recipients.yaml already existed
	OwnerKey string
	// Already is true when the project was initialized before and nothing was added.
	Already bool
	// MergeDriver is true when this run registered swiftclaw's git merge driver in the
	// repository's config (.gitattributes is among the changed files when it was added).
	MergeDriver bool
	*WriteResult
}

const configTemplate = `# swiftclaw project settings.
version: 1
git:
  # Commit every change swiftclaw makes. Only swiftclaw's own files are committed,
  # never your other staged changes.
  autocommit: true
`

const policyTemplate = `# Grants: which principals (from recipients.yaml) may read or write which secrets.
# Owners may read and write everything. Manage with ` + "`swiftclaw secrets grant/revoke`" + `. Example:
#   grants:
#     - user: bob@example.com
#       agent: my-agent
#       secret: "db-*"          # a glob; "*" also covers the agent's env vars
#       permissions: [read]
grants: []
`

const gitignoreTemplate = `# swiftclaw's lock and temporary files must never be committed.
.lock
*.tmp
`

// Init creates .swiftclaw/ in the working tree containing opts.Dir, registering the
// current identity's public key as the first owner. It is idempotent: existing files are
// left alone.
func Init(ctx context.Context, opts Options, io InitOptions) (*Store, *InitResult, error) {
	s, err := newStore(opts)
	if err != nil {
		return nil, nil, err
	}
	if _, err := s.shouldCommit(); err != nil {
		return nil, nil, err
	}
	res := &InitResult{}
	recPath, err := s.path("recipients.yaml")
	if err != nil {
		return nil, nil, err
	}
	_, statErr := os.Stat(recPath)
	needOwner := os.IsNotExist(statErr)
	var recData []byte
	if needOwner {
		ids, err := s.Identities()
		if err != nil {
			return nil, nil, err
		}
		id, _ := ids.Primary()
		if id.Recipient == "" {
			return nil, nil, errs.New(errs.Input, "the identity from %s has no public key swiftclaw can register", id.Source).
				WithHint("use an age or SSH ed25519/rsa identity (`swiftclaw keys generate`)")
		}
		owner := io.Owner
		if owner == "" {
			// git var honours GIT_AUTHOR_EMAIL as well as user.email.
			out, _ := runGit(ctx, s.Root, "var", "GIT_AUTHOR_IDENT")
			if _, rest, ok := strings.Cut(out, "<"); ok {
				owner, _, _ = strings.Cut(rest, ">")
			}
		}
		if owner == "" {
			return nil, nil, errs.New(errs.Input, "no owner email: git has no user.email and --user was not given").
				WithHint("run `swiftclaw init --user you@example.com`")
		}
		if err := ValidatePrincipalID("user", owner); err != nil {
			return nil, nil, err
		}
		rec := &Recipients{Users: map[string]*PrincipalEntry{owner: {Role: RoleOwner, Keys: []string{id.Recipient}}}}
		recData, err = encodeWithComment(rec, "Principals and their public keys. Owners read and write every secret.\nManage with `swiftclaw keys add|remove|list`.")
		if err != nil {
			return nil, nil, err
		}
		res.Owner, res.OwnerKey = owner, id.Recipient
	}
	files := map[string]string{"config.yaml": configTemplate, "policy.yaml": policyTemplate, ".gitignore": gitignoreTemplate}
	wr, err := s.write(ctx, "swiftclaw: init", func(t *txn) error {
		for name, content := range files {
			p, err := s.path(name)
			if err != nil {
				return err
			}
			if _, err := os.Stat(p); os.IsNotExist(err) {
				t.put(p, []byte(content))
			} else {
				t.touch(p) // committed if an earlier init was interrupted before its commit
			}
		}
		if needOwner {
			t.put(recPath, recData)
		} else {
			t.touch(recPath)
		}
		if s.InGit {
			return s.stageAttributes(t)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if res.MergeDriver, err = s.registerMergeDriver(ctx); err != nil {
		return nil, nil, err
	}
	res.WriteResult = wr
	res.Already = len(wr.Changed) == 0 && wr.Commit == "" && !res.MergeDriver
	return s, res, nil
}
