package vault

import (
	"fmt"
	"runtime"
	"slices"
	"strings"

	"filippo.io/age/agessh"
	"filippo.io/age/plugin"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/policy"
)

// BulkOptions tune commands that re-encrypt many files (grant, revoke, rotate-identity).
type BulkOptions struct {
	// Progress, when set, is called after each file is re-encrypted with the number done
	// and the total. It is always called from the goroutine that called the library, in
	// increasing order of done, so it need not be safe for concurrent use.
	Progress func(done, total int)
	// Workers bounds how many files are re-encrypted at once (default: GOMAXPROCS).
	// Identities that may prompt (passphrase-protected SSH keys, age plugins) force 1.
	Workers int
}

// resyncOptions extend BulkOptions with what revocation needs.
type resyncOptions struct {
	BulkOptions
	// revoked lists public keys being revoked: a file that loses one of them is marked
	// rotation required with reason.
	revoked []string
	reason  string
	// markLost marks every file that loses any recipient (with reason).
	markLost bool
}

// Resynced describes one file a bulk operation re-encrypted.
type Resynced struct {
	Agent string `json:"agent"`
	// Name is the secret's name, or "" for the agent's env file.
	Name string `json:"name,omitempty"`
	// Path is the file, relative to the working tree root.
	Path string `json:"path"`
	// Lost lists the recipients the file no longer has.
	Lost []string `json:"lost,omitempty"`
	// Marked is true when the file was marked rotation required.
	Marked bool `json:"rotation_required,omitempty"`
}

// reencryptJob is one file to bring to its readers.
type reencryptJob struct {
	Resynced
	secret  *SecretFile
	env     *EnvFile
	readers []string
	out     []byte
	err     error
}

// resync stages re-encryption of every secret and env file whose recipients differ from
// what rec and pol say they should be. Files already right are not touched. It needs an
// identity that can read every file it must re-encrypt, and fails listing those it cannot.
func (s *Store) resync(t *txn, rec *Recipients, pol *policy.Policy) error {
	_, err := s.resyncWith(t, rec, pol, resyncOptions{})
	return err
}

// resyncWith is resync with progress, bounded parallelism and revocation marks. Files are
// read and planned in order, re-encrypted by a pool of workers, and staged in the planned
// order, so the result does not depend on scheduling.
func (s *Store) resyncWith(t *txn, rec *Recipients, pol *policy.Policy, opts resyncOptions) ([]Resynced, error) {
	jobs, err := s.planResync(rec, pol)
	if err != nil || len(jobs) == 0 {
		return nil, err
	}
	oldRec, err := s.Recipients() // describe failures with the names as they are on disk
	if err != nil {
		return nil, err
	}
	ids, _ := s.Identities() // load once, before any worker reads them
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if ids != nil && mayPrompt(ids) {
		workers = 1
	}
	workers = min(workers, len(jobs))
	next := make(chan int)
	done := make(chan int)
	for range workers {
		go func() {
			for i := range next {
				s.runJob(jobs[i], oldRec, opts)
				done <- i
			}
		}()
	}
	go func() {
		for i := range jobs {
			next <- i
		}
		close(next)
	}()
	for n := 1; n <= len(jobs); n++ {
		<-done
		if opts.Progress != nil {
			opts.Progress(n, len(jobs))
		}
	}
	var failed []*reencryptJob
	for _, j := range jobs {
		if j.err != nil {
			failed = append(failed, j)
		}
	}
	if len(failed) > 0 {
		return nil, resyncError(failed)
	}
	out := make([]Resynced, 0, len(jobs))
	for _, j := range jobs {
		t.put(j.secretOrEnvPath(), j.out)
		out = append(out, j.Resynced)
	}
	return out, nil
}

// planResync reads every secret and env file and returns those whose recipients differ
// from their readers under rec and pol, in agent then name order (env last per agent).
func (s *Store) planResync(rec *Recipients, pol *policy.Policy) ([]*reencryptJob, error) {
	var jobs []*reencryptJob
	add := func(agent, name, path string, current []string, j *reencryptJob) error {
		readers, err := s.Readers(rec, pol, agent, name)
		if err != nil {
			return err
		}
		if slices.Equal(sortedCopy(current), readers) {
			return nil
		}
		j.Resynced = Resynced{Agent: agent, Name: name, Path: s.rel(path), Lost: missingFrom(current, readers)}
		j.readers = readers
		jobs = append(jobs, j)
		return nil
	}
	for _, agent := range s.agentNames() {
		for _, name := range s.secretNames(agent) {
			f, err := s.readSecretFile(agent, name)
			if err != nil {
				return nil, err
			}
			if err := add(agent, name, f.path, f.Recipients, &reencryptJob{secret: f}); err != nil {
				return nil, err
			}
		}
		f, exists, err := s.readEnvFile(agent)
		if err != nil {
			return nil, err
		}
		if exists {
			if err := add(agent, "", f.path, f.Recipients, &reencryptJob{env: f}); err != nil {
				return nil, err
			}
		}
	}
	return jobs, nil
}

func (j *reencryptJob) secretOrEnvPath() string {
	if j.secret != nil {
		return j.secret.path
	}
	return j.env.path
}

// runJob decrypts, re-encrypts and renders one file, recording the result in j. It only
// touches j and read-only shared state, so jobs run concurrently.
func (s *Store) runJob(j *reencryptJob, oldRec *Recipients, opts resyncOptions) {
	marked := (opts.markLost && len(j.Lost) > 0) ||
		slices.ContainsFunc(j.Lost, func(k string) bool { return slices.Contains(opts.revoked, k) })
	j.Marked = marked
	if f := j.env; f != nil {
		if j.err = s.reencryptEnv(f, oldRec, j.readers, nil); j.err != nil {
			return
		}
		if marked {
			f.RotationRequired = f.RotationRequired.add(s.Now(), opts.reason, sortedKeys(f.Vars))
		}
		j.out, j.err = marshalEnvFile(f)
		return
	}
	f := j.secret
	value, err := s.decryptSecret(f, oldRec)
	if err != nil {
		j.err = err
		return
	}
	// reseal brings a rotation's grace value along (re-encrypted, or dropped once over).
	j.out, j.err = s.reseal(f, value, oldRec, j.readers, func() {
		if marked {
			f.RotationRequired = f.RotationRequired.add(s.Now(), opts.reason, nil)
		}
	})
}

// resyncError reports every file that could not be re-encrypted, with the first one's
// kind and hint.
func resyncError(failed []*reencryptJob) error {
	first := failed[0]
	what := first.Agent + "/" + orEnv(first.Name)
	if len(failed) == 1 {
		return errs.Wrap(errs.KindOf(first.err), first.err, "cannot re-encrypt %s", what)
	}
	names := make([]string, 0, len(failed))
	for _, j := range failed[:min(len(failed), 5)] {
		names = append(names, j.Agent+"/"+orEnv(j.Name))
	}
	more := ""
	if len(failed) > 5 {
		more = fmt.Sprintf(" and %d more", len(failed)-5)
	}
	e := errs.Wrap(errs.KindOf(first.err), first.err, "cannot re-encrypt %d files (%s%s); the first failed", len(failed), strings.Join(names, ", "), more)
	e.Hint = errs.HintOf(first.err)
	return e
}

// mayPrompt reports whether an identity may ask the user for something (a passphrase, a
// touch) or keeps state that is not safe to share across goroutines.
func mayPrompt(ids *Identities) bool {
	for _, id := range ids.List {
		switch id.Identity.(type) {
		case *agessh.EncryptedSSHIdentity, *plugin.Identity:
			return true
		}
	}
	return false
}

// missingFrom returns the elements of have that want lacks, sorted.
func missingFrom(have, want []string) []string {
	var out []string
	for _, k := range have {
		if !slices.Contains(want, k) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
