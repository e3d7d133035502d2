package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"sort"

	"github.com/joho/godotenv"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"

	"github.com/swiftclaw/swiftclaw/dotenv"
	"github.com/swiftclaw/swiftclaw/internal/ghenv"
)

// Helper programs for the deploy testscripts. Each reads what a deploy target wrote the way
// its real consumer does and prints, per variable, its length and SHA-256 in envhash's
// format, so a script can prove every target carries the same bytes without printing any.

var deployHelpers = map[string]func(){
	"ghenv":      ghenvMain,
	"dotenvread": dotenvReadMain,
	"kubesecret": kubesecretMain,
}

func printHashes(m map[string][]byte) {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Printf("%s len=%d sha256=%x\n", n, len(m[n]), sha256.Sum256(m[n]))
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}

func readArg() []byte {
	if len(os.Args) != 2 {
		fail("usage: %s FILE", os.Args[0])
	}
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fail("%v", err)
	}
	return data
}

// ghenv FILE: the variables the GitHub Actions runner would set from a $GITHUB_ENV file.
func ghenvMain() {
	m, err := ghenv.Parse(string(readArg()))
	if err != nil {
		fail("runner: %v", err)
	}
	out := map[string][]byte{}
	for k, v := range m {
		out[k] = []byte(v)
	}
	printHashes(out)
}

// dotenvread FILE: a .env file read by godotenv; fails if swiftclaw's parser disagrees.
func dotenvReadMain() {
	data := readArg()
	theirs, err := godotenv.UnmarshalBytes(data)
	if err != nil {
		fail("godotenv: %v", err)
	}
	ours, err := dotenv.Parse(bytes.NewReader(data), os.Args[1])
	if err != nil {
		fail("swiftclaw: %v", err)
	}
	out := map[string][]byte{}
	for _, e := range ours {
		if theirs[e.Key] != string(e.Value) {
			fail("godotenv and swiftclaw disagree on %s", e.Key)
		}
		out[e.Key] = e.Value
	}
	if len(out) != len(theirs) {
		fail("godotenv read %d variables, swiftclaw %d", len(theirs), len(out))
	}
	printHashes(out)
}

// kubesecret FILE: a manifest decoded strictly with the Kubernetes API types; prints the
// Secret's namespace/name and its data.
func kubesecretMain() {
	scheme := runtime.NewScheme()
	if err := corev1.AddToScheme(scheme); err != nil {
		fail("%v", err)
	}
	obj, _, err := serializer.NewCodecFactory(scheme, serializer.EnableStrict).UniversalDeserializer().Decode(readArg(), nil, nil)
	if err != nil {
		fail("kubernetes: %v", err)
	}
	s, ok := obj.(*corev1.Secret)
	if !ok {
		fail("decoded a %T, not a Secret", obj)
	}
	fmt.Printf("secret %s/%s type %s\n", s.Namespace, s.Name, s.Type)
	printHashes(s.Data)
}
