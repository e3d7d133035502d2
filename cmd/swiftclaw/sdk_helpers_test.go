package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/swiftclaw/swiftclaw"
)

// sdkHelpers are child programs for the run-channel testscripts.
var sdkHelpers = map[string]func(){"sdkclient": sdkClientMain}

// sdkClientMain is agent code using the Go SDK: `sdkclient AGENT REQUEST...` where a request
// is get:NAME, env:KEY, list or print:NAME. It first says whether any identity is visible
// to it, then prints for each request the value's length and SHA-256 (print:NAME prints
// the value itself, for redaction tests) or the typed error.
func sdkClientMain() {
	_, keyEnv := os.LookupEnv("SWIFTCLAW_AGE_KEY")
	_, fileErr := os.Stat(filepath.Join(os.Getenv("HOME"), ".config", "swiftclaw", "identity.txt"))
	fmt.Printf("identity: env=%v file=%v channel=%s\n", keyEnv, fileErr == nil, os.Getenv("SWIFTCLAW_CHANNEL_FD"))
	agent := swiftclaw.NewAgent(os.Args[1])
	defer agent.Close()
	ctx := context.Background()
	for _, req := range os.Args[2:] {
		op, name, _ := strings.Cut(req, ":")
		var (
			v   string
			err error
		)
		switch op {
		case "get", "print":
			v, err = agent.Secrets.Get(ctx, name)
		case "env":
			v, err = agent.Env.Get(name)
		case "list":
			var list []swiftclaw.SecretInfo
			list, err = agent.Secrets.List(ctx)
			for _, s := range list {
				v += s.Name + " "
			}
		}
		var e *swiftclaw.Error
		switch {
		case errors.As(err, &e):
			fmt.Printf("%s error kind=%s message=%s hint=%s\n", req, e.Kind, e.Message, e.Hint)
		case err != nil:
			fmt.Printf("%s error %v\n", req, err)
		case op == "print":
			fmt.Printf("%s value=%s\n", req, v)
		case op == "list":
			fmt.Printf("%s %s\n", req, strings.TrimSpace(v))
		default:
			fmt.Printf("%s len=%d sha256=%x\n", req, len(v), sha256.Sum256([]byte(v)))
		}
	}
}
