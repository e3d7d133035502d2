package deploy

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/util/validation"
)

// decodeSecret decodes a manifest with the Kubernetes API machinery, as kubectl does.
func decodeSecret(t *testing.T, manifest []byte) *corev1.Secret {
	t.Helper()
	scheme := runtime.NewScheme()
	if err := corev1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	obj, gvk, err := serializer.NewCodecFactory(scheme, serializer.EnableStrict).UniversalDeserializer().Decode(manifest, nil, nil)
	if err != nil {
		t.Fatalf("kubernetes decode: %v\n%s", err, manifest)
	}
	if gvk.Group != "" || gvk.Version != "v1" || gvk.Kind != "Secret" {
		t.Fatalf("gvk = %v", gvk)
	}
	s, ok := obj.(*corev1.Secret)
	if !ok {
		t.Fatalf("decoded %T", obj)
	}
	return s
}

func TestKubernetesManifestDecodesWithAPITypes(t *testing.T) {
	out := filepath.Join(t.TempDir(), "secret.yaml")
	vars := append([]Var{{Name: "BINARY", Value: []byte{0, 1, 0xfe, 0xff}}}, awkwardVars...)
	if _, err := Write(vars, Options{Target: Kubernetes, Out: out, Namespace: "agents", Name: "my-agent-secrets"}); err != nil {
		t.Fatal(err)
	}
	s := decodeSecret(t, assertPrivateFile(t, out))
	if s.Name != "my-agent-secrets" || s.Namespace != "agents" || s.Type != corev1.SecretTypeOpaque {
		t.Fatalf("metadata = %+v type %q", s.ObjectMeta, s.Type)
	}
	if s.Labels["app.kubernetes.io/managed-by"] != "swiftclaw" {
		t.Fatalf("labels = %v", s.Labels)
	}
	if len(s.Data) != len(vars) || len(s.StringData) != 0 {
		t.Fatalf("data has %d keys, stringData %d", len(s.Data), len(s.StringData))
	}
	for _, v := range vars {
		if !bytes.Equal(s.Data[v.Name], v.Value) {
			t.Errorf("data[%s] differs", v.Name)
		}
		if errs := validation.IsConfigMapKey(v.Name); len(errs) > 0 {
			t.Errorf("key %s invalid: %v", v.Name, errs)
		}
	}
}

func TestKubernetesToStdoutWithoutNamespace(t *testing.T) {
	var stdout bytes.Buffer
	if _, err := Write(nil, Options{Target: Kubernetes, Out: Stdout, Stdout: &stdout, Name: "empty"}); err != nil {
		t.Fatal(err)
	}
	s := decodeSecret(t, stdout.Bytes())
	if s.Namespace != "" || s.Name != "empty" || len(s.Data) != 0 {
		t.Fatalf("secret = %+v", s)
	}
}

// The library repeats the API's name rules to stay free of Kubernetes imports; they must
// agree with the original.
func TestKubeNameRulesMatchAPIMachinery(t *testing.T) {
	names := []string{"a", "my-agent", "my.agent", "-a", "a-", "A", "a_b", "a..b", "1abc", strings.Repeat("a", 63), strings.Repeat("a", 64), strings.Repeat("a.", 126) + "a", strings.Repeat("a", 254), ""}
	for _, n := range names {
		wantName := len(validation.IsDNS1123Subdomain(n)) == 0
		wantNS := n == "" || len(validation.IsDNS1123Label(n)) == 0
		gotName := validateKubeNames("", n) == nil
		gotNS := validateKubeNames(n, "x") == nil
		if gotName != wantName || gotNS != wantNS {
			t.Errorf("%q: name ok %v (api %v), namespace ok %v (api %v)", n, gotName, wantName, gotNS, wantNS)
		}
	}
}
