package deploy

import (
	"bytes"
	"encoding/base64"
	"regexp"

	"gopkg.in/yaml.v3"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// The name rules of the Kubernetes API (k8s.io/apimachinery/pkg/util/validation), repeated
// here so the library does not import Kubernetes; a test checks them against the original.
var (
	dns1123Label     = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	dns1123Subdomain = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
)

func validateKubeNames(namespace, name string) error {
	if name == "" {
		return errs.New(errs.Input, "the kubernetes target needs --name for the Secret")
	}
	if len(name) > 253 || !dns1123Subdomain.MatchString(name) {
		return errs.New(errs.Input, "%q is not a valid Kubernetes Secret name", name).
			WithHint("use lower-case letters, digits, '-' and '.', at most 253 characters")
	}
	if namespace != "" && (len(namespace) > 63 || !dns1123Label.MatchString(namespace)) {
		return errs.New(errs.Input, "%q is not a valid Kubernetes namespace", namespace).
			WithHint("use lower-case letters, digits and '-', at most 63 characters")
	}
	return nil
}

type kubeMeta struct {
	Name      string            `yaml:"name"`
	Namespace string            `yaml:"namespace,omitempty"`
	Labels    map[string]string `yaml:"labels"`
}

type kubeSecret struct {
	APIVersion string    `yaml:"apiVersion"`
	Kind       string    `yaml:"kind"`
	Metadata   kubeMeta  `yaml:"metadata"`
	Type       string    `yaml:"type"`
	Data       yaml.Node `yaml:"data"`
}

// encodeKubernetes renders a v1 Secret of type Opaque with every value base64 in data,
// keys in name order. Environment variable names are valid Secret keys, so the Secret can be
// consumed with envFrom.
func encodeKubernetes(vars []Var, namespace, name string) ([]byte, error) {
	data := yaml.Node{Kind: yaml.MappingNode}
	for _, v := range vars {
		data.Content = append(data.Content,
			&yaml.Node{Kind: yaml.ScalarNode, Value: v.Name},
			&yaml.Node{Kind: yaml.ScalarNode, Value: base64.StdEncoding.EncodeToString(v.Value)})
	}
	s := kubeSecret{
		APIVersion: "v1",
		Kind:       "Secret",
		Metadata: kubeMeta{
			Name:      name,
			Namespace: namespace,
			Labels:    map[string]string{"app.kubernetes.io/managed-by": "swiftclaw"},
		},
		Type: "Opaque",
		Data: data,
	}
	var b bytes.Buffer
	b.WriteString("# Written by swiftclaw deploy. base64 is not encryption: keep this manifest out of git.\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(s); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "encode Kubernetes manifest")
	}
	if err := enc.Close(); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "encode Kubernetes manifest")
	}
	return b.Bytes(), nil
}
