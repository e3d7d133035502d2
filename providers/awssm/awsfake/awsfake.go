package awsfake

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// MaxSize is the service's limit for SecretString and SecretBinary.
const MaxSize = 65536

// Server is the fake. The zero value is not usable; call New.
type Server struct {
	// AccessKeyID is the only access key accepted; requests signed with another get
	// UnrecognizedClientException, as AWS answers an unknown key.
	AccessKeyID string
	// Region appears in ARNs.
	Region string

	mu       sync.Mutex
	secrets  map[string]*secret // by name
	throttle int
	requests int
	now      func() time.Time
}

type secret struct {
	name, arn, desc  string
	created, changed time.Time
	deleted          *time.Time
	versions         []*version // oldest first
}

type version struct {
	id      string
	str     *string
	bin     []byte
	created time.Time
	stages  []string
}

// New returns an empty fake accepting accessKeyID.
func New(accessKeyID, region string) *Server {
	return &Server{AccessKeyID: accessKeyID, Region: region, secrets: map[string]*secret{}, now: time.Now}
}

// Throttle makes the next n requests fail with ThrottlingException.
func (s *Server) Throttle(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttle = n
}

// Requests returns how many requests were received.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

type apiError struct {
	status int
	code   string
	msg    string
}

func fail(code, format string, args ...any) *apiError {
	return &apiError{http.StatusBadRequest, code, fmt.Sprintf(format, args...)}
}

func notFound() *apiError {
	return fail("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
}

// ServeHTTP answers one API call.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "secretsmanager.")
	var out any
	var aerr *apiError
	switch {
	case r.Method != http.MethodPost || !ok:
		aerr = fail("UnknownOperationException", "unknown operation %q", r.Header.Get("X-Amz-Target"))
	case s.throttle > 0:
		s.throttle--
		aerr = fail("ThrottlingException", "Rate exceeded")
	case !s.signedBy(r.Header.Get("Authorization")):
		aerr = fail("UnrecognizedClientException", "The security token included in the request is invalid.")
	default:
		var in request
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil {
			aerr = fail("SerializationException", "malformed request body")
			break
		}
		out, aerr = s.call(op, &in)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if aerr != nil {
		w.WriteHeader(aerr.status)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": aerr.code, "message": aerr.msg})
		return
	}
	_ = json.NewEncoder(w).Encode(out)
}

// signedBy checks the access key id in a SigV4 Authorization header.
func (s *Server) signedBy(auth string) bool {
	_, cred, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return false
	}
	key, _, _ := strings.Cut(cred, "/")
	return key == s.AccessKeyID
}

// request is the union of the input members of the operations implemented.
type request struct {
	Name, SecretId, Description, SecretString *string
	SecretBinary                              []byte
	ClientRequestToken, VersionId             *string
	VersionStage                              *string
	MoveToVersionId, RemoveFromVersionId      *string
	IncludeDeprecated                         bool
	ForceDeleteWithoutRecovery                bool
	RecoveryWindowInDays                      int64
	MaxResults                                int
	NextToken                                 *string
	Filters                                   []struct {
		Key    string
		Values []string
	}
}

func (s *Server) call(op string, in *request) (any, *apiError) {
	switch op {
	case "CreateSecret":
		return s.create(in)
	case "GetSecretValue":
		return s.getValue(in)
	case "PutSecretValue":
		return s.putValue(in)
	case "DescribeSecret":
		return s.describe(in)
	case "UpdateSecret":
		return s.update(in)
	case "ListSecrets":
		return s.list(in)
	case "ListSecretVersionIds":
		return s.listVersions(in)
	case "UpdateSecretVersionStage":
		return s.updateStage(in)
	case "DeleteSecret":
		return s.delete(in)
	case "RestoreSecret":
		return s.restore(in)
	}
	return nil, fail("UnknownOperationException", "the fake does not implement %s", op)
}

func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

func randomID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// find looks a SecretId up by name or ARN; live refuses secrets scheduled for deletion.
func (s *Server) find(id *string, live bool) (*secret, *apiError) {
	if id == nil || *id == "" {
		return nil, fail("InvalidParameterException", "You must specify a SecretId.")
	}
	sec := s.secrets[*id]
	if sec == nil {
		for _, c := range s.secrets {
			if c.arn == *id {
				sec = c
			}
		}
	}
	if sec == nil {
		return nil, notFound()
	}
	if live && sec.deleted != nil {
		return nil, fail("InvalidRequestException", "You can't perform this operation on the secret because it was marked for deletion.")
	}
	return sec, nil
}

func checkValue(in *request) *apiError {
	switch {
	case in.SecretString != nil && in.SecretBinary != nil:
		return fail("InvalidParameterException", "You can't specify both a binary secret value and a string secret value in the same secret.")
	case in.SecretString != nil && len(*in.SecretString) > MaxSize, len(in.SecretBinary) > MaxSize:
		return fail("ValidationException", "1 validation error detected: Value at 'secretString' failed to satisfy constraint: Member must have length less than or equal to %d", MaxSize)
	}
	return nil
}

func hasValue(in *request) bool { return in.SecretString != nil || in.SecretBinary != nil }

func (v *version) same(in *request) bool {
	if in.SecretString != nil {
		return v.str != nil && *v.str == *in.SecretString
	}
	return v.str == nil && string(v.bin) == string(in.SecretBinary)
}

// addVersion stores a new AWSCURRENT version; the version it replaces becomes
// AWSPREVIOUS. A repeated ClientRequestToken with the same value is idempotent.
func (s *Server) addVersion(sec *secret, in *request) (*version, *apiError) {
	id := randomID()
	if in.ClientRequestToken != nil && *in.ClientRequestToken != "" {
		id = *in.ClientRequestToken
	}
	for _, v := range sec.versions {
		if v.id == id {
			if v.same(in) {
				return v, nil
			}
			return nil, fail("ResourceExistsException", "You can't modify an existing version, you can only create a new version.")
		}
	}
	v := &version{id: id, created: s.now().UTC(), stages: []string{"AWSCURRENT"}}
	if in.SecretString != nil {
		str := *in.SecretString
		v.str = &str
	} else {
		v.bin = slices.Clone(in.SecretBinary)
	}
	s.moveStage(sec, "AWSCURRENT", v)
	sec.versions = append(sec.versions, v)
	sec.changed = v.created
	return v, nil
}

// moveStage attaches label to to, removing it from wherever it was; moving AWSCURRENT
// moves AWSPREVIOUS to the version AWSCURRENT left.
func (s *Server) moveStage(sec *secret, label string, to *version) {
	var from *version
	for _, v := range sec.versions {
		if v != to && slices.Contains(v.stages, label) {
			from = v
			v.stages = slices.DeleteFunc(v.stages, func(l string) bool { return l == label })
		}
	}
	if !slices.Contains(to.stages, label) {
		to.stages = append(to.stages, label)
	}
	if label == "AWSCURRENT" && from != nil {
		s.moveStage(sec, "AWSPREVIOUS", from)
	}
}

func (s *Server) create(in *request) (any, *apiError) {
	if in.Name == nil || *in.Name == "" {
		return nil, fail("InvalidParameterException", "You must specify a Name.")
	}
	if err := checkValue(in); err != nil {
		return nil, err
	}
	if old := s.secrets[*in.Name]; old != nil {
		if old.deleted != nil {
			return nil, fail("InvalidRequestException", "You can't create this secret because a secret with this name is already scheduled for deletion.")
		}
		return nil, fail("ResourceExistsException", "The operation failed because the secret %s already exists.", *in.Name)
	}
	now := s.now().UTC()
	sec := &secret{name: *in.Name, created: now, changed: now,
		arn: fmt.Sprintf("arn:aws:secretsmanager:%s:123456789012:secret:%s-%s", s.Region, *in.Name, randomID()[:6])}
	if in.Description != nil {
		sec.desc = *in.Description
	}
	out := map[string]any{"ARN": sec.arn, "Name": sec.name}
	if hasValue(in) {
		v, err := s.addVersion(sec, in)
		if err != nil {
			return nil, err
		}
		out["VersionId"] = v.id
	}
	s.secrets[sec.name] = sec
	return out, nil
}

func (s *Server) getValue(in *request) (any, *apiError) {
	sec, err := s.find(in.SecretId, true)
	if err != nil {
		return nil, err
	}
	var v *version
	for _, c := range sec.versions {
		switch {
		case in.VersionId != nil && c.id == *in.VersionId,
			in.VersionId == nil && in.VersionStage != nil && slices.Contains(c.stages, *in.VersionStage),
			in.VersionId == nil && in.VersionStage == nil && slices.Contains(c.stages, "AWSCURRENT"):
			v = c
		}
	}
	if v == nil {
		if in.VersionId != nil {
			return nil, fail("ResourceNotFoundException", "Secrets Manager can't find the specified secret value for VersionId: %s", *in.VersionId)
		}
		return nil, fail("ResourceNotFoundException", "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT")
	}
	out := map[string]any{"ARN": sec.arn, "Name": sec.name, "VersionId": v.id, "VersionStages": v.stages, "CreatedDate": epoch(v.created)}
	if v.str != nil {
		out["SecretString"] = *v.str
	} else {
		out["SecretBinary"] = v.bin
	}
	return out, nil
}

func (s *Server) putValue(in *request) (any, *apiError) {
	sec, err := s.find(in.SecretId, true)
	if err != nil {
		return nil, err
	}
	if !hasValue(in) {
		return nil, fail("InvalidParameterException", "You must provide either SecretString or SecretBinary.")
	}
	if err := checkValue(in); err != nil {
		return nil, err
	}
	v, err := s.addVersion(sec, in)
	if err != nil {
		return nil, err
	}
	return map[string]any{"ARN": sec.arn, "Name": sec.name, "VersionId": v.id, "VersionStages": v.stages}, nil
}

func (s *Server) describe(in *request) (any, *apiError) {
	sec, err := s.find(in.SecretId, false)
	if err != nil {
		return nil, err
	}
	stages := map[string][]string{}
	for _, v := range sec.versions {
		if len(v.stages) > 0 {
			stages[v.id] = v.stages
		}
	}
	out := s.entry(sec)
	out["VersionIdsToStages"] = stages
	return out, nil
}

func (s *Server) entry(sec *secret) map[string]any {
	out := map[string]any{"ARN": sec.arn, "Name": sec.name, "CreatedDate": epoch(sec.created), "LastChangedDate": epoch(sec.changed)}
	if sec.desc != "" {
		out["Description"] = sec.desc
	}
	if sec.deleted != nil {
		out["DeletedDate"] = epoch(*sec.deleted)
	}
	return out
}

func (s *Server) update(in *request) (any, *apiError) {
	sec, err := s.find(in.SecretId, true)
	if err != nil {
		return nil, err
	}
	if err := checkValue(in); err != nil {
		return nil, err
	}
	out := map[string]any{"ARN": sec.arn, "Name": sec.name}
	if in.Description != nil {
		sec.desc = *in.Description
		sec.changed = s.now().UTC()
	}
	if hasValue(in) {
		v, err := s.addVersion(sec, in)
		if err != nil {
			return nil, err
		}
		out["VersionId"] = v.id
	}
	return out, nil
}

// page cuts items by NextToken (an offset) and MaxResults.
func page[T any](items []T, in *request) ([]T, *string, *apiError) {
	start := 0
	if in.NextToken != nil {
		n, err := strconv.Atoi(*in.NextToken)
		if err != nil || n < 0 || n > len(items) {
			return nil, nil, fail("InvalidNextTokenException", "The NextToken value is invalid.")
		}
		start = n
	}
	max := in.MaxResults
	if max <= 0 || max > 100 {
		max = 100
	}
	end := min(start+max, len(items))
	var next *string
	if end < len(items) {
		t := strconv.Itoa(end)
		next = &t
	}
	return items[start:end], next, nil
}

func (s *Server) list(in *request) (any, *apiError) {
	var prefixes []string
	for _, f := range in.Filters {
		if f.Key != "name" {
			return nil, fail("InvalidParameterException", "the fake implements only the name filter")
		}
		prefixes = append(prefixes, f.Values...)
	}
	var names []string
	for name, sec := range s.secrets {
		if sec.deleted != nil {
			continue // IncludePlannedDeletion is not implemented: AWS's default excludes them
		}
		if len(prefixes) == 0 || slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(name, p) }) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	names, next, err := page(names, in)
	if err != nil {
		return nil, err
	}
	list := []map[string]any{}
	for _, n := range names {
		list = append(list, s.entry(s.secrets[n]))
	}
	return map[string]any{"SecretList": list, "NextToken": next}, nil
}

func (s *Server) listVersions(in *request) (any, *apiError) {
	sec, err := s.find(in.SecretId, false)
	if err != nil {
		return nil, err
	}
	var vs []map[string]any
	for i := len(sec.versions) - 1; i >= 0; i-- {
		v := sec.versions[i]
		if len(v.stages) == 0 && !in.IncludeDeprecated {
			continue
		}
		vs = append(vs, map[string]any{"VersionId": v.id, "VersionStages": v.stages, "CreatedDate": epoch(v.created)})
	}
	vs, next, err := page(vs, in)
	if err != nil {
		return nil, err
	}
	return map[string]any{"ARN": sec.arn, "Name": sec.name, "Versions": vs, "NextToken": next}, nil
}

func (s *Server) updateStage(in *request) (any, *apiError) {
	sec, err := s.find(in.SecretId, true)
	if err != nil {
		return nil, err
	}
	if in.VersionStage == nil || *in.VersionStage == "" {
		return nil, fail("InvalidParameterException", "You must specify a VersionStage.")
	}
	label := *in.VersionStage
	var holder, to *version
	for _, v := range sec.versions {
		if slices.Contains(v.stages, label) {
			holder = v
		}
		if in.MoveToVersionId != nil && v.id == *in.MoveToVersionId {
			to = v
		}
	}
	if in.MoveToVersionId != nil && to == nil {
		return nil, fail("ResourceNotFoundException", "Secrets Manager can't find the specified secret value for VersionId: %s", *in.MoveToVersionId)
	}
	if holder != nil && holder != to && (in.RemoveFromVersionId == nil || *in.RemoveFromVersionId != holder.id) {
		return nil, fail("InvalidParameterException", "The parameter RemoveFromVersionId can't be empty. Staging label %s is currently attached to version %s, so you must explicitly reference that version in RemoveFromVersionId.", label, holder.id)
	}
	if to == nil {
		if holder != nil {
			holder.stages = slices.DeleteFunc(holder.stages, func(l string) bool { return l == label })
		}
	} else {
		s.moveStage(sec, label, to)
	}
	sec.changed = s.now().UTC()
	return map[string]any{"ARN": sec.arn, "Name": sec.name}, nil
}

func (s *Server) delete(in *request) (any, *apiError) {
	sec, err := s.find(in.SecretId, true)
	if err != nil {
		return nil, err
	}
	if in.ForceDeleteWithoutRecovery && in.RecoveryWindowInDays != 0 {
		return nil, fail("InvalidParameterException", "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.")
	}
	days := in.RecoveryWindowInDays
	if days == 0 {
		days = 30
	}
	if !in.ForceDeleteWithoutRecovery && (days < 7 || days > 30) {
		return nil, fail("InvalidParameterException", "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).")
	}
	now := s.now().UTC()
	out := map[string]any{"ARN": sec.arn, "Name": sec.name, "DeletionDate": epoch(now.Add(time.Duration(days) * 24 * time.Hour))}
	if in.ForceDeleteWithoutRecovery {
		delete(s.secrets, sec.name)
		out["DeletionDate"] = epoch(now)
		return out, nil
	}
	sec.deleted = &now
	return out, nil
}

func (s *Server) restore(in *request) (any, *apiError) {
	sec, err := s.find(in.SecretId, false)
	if err != nil {
		return nil, err
	}
	sec.deleted = nil
	return map[string]any{"ARN": sec.arn, "Name": sec.name}, nil
}
