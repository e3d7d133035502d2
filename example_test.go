package swiftclaw_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/swiftclaw/swiftclaw"
	"github.com/swiftclaw/swiftclaw/internal/testrepo"
)

// An agent reads its API key. Inside `swiftclaw run my-agent -- ./agent` the same code
// needs no identity and no options: it reads through the run channel.
func Example() {
	// A throwaway repository where alice stored my-agent's api-key, as with
	// `swiftclaw init` and `swiftclaw secrets set my-agent api-key`.
	dir, err := os.MkdirTemp("", "swiftclaw-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	repo, err := testrepo.New(dir, nil)
	if err != nil {
		log.Fatal(err)
	}
	if err := repo.SetSecret("my-agent", "api-key", "sk-abc123-demo", 0); err != nil {
		log.Fatal(err)
	}

	agent := swiftclaw.NewAgent("my-agent", swiftclaw.WithRepo(repo.Root), swiftclaw.WithIdentity(repo.IdentityFile))
	defer agent.Close()
	ctx := context.Background()

	apiKey, err := agent.Secrets.Get(ctx, "api-key")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("api-key:", len(apiKey), "bytes") // use it; never print it

	_, err = agent.Secrets.Get(ctx, "db-url")
	var e *swiftclaw.Error
	if errors.Is(err, swiftclaw.ErrNotFound) && errors.As(err, &e) {
		fmt.Println(e.Message)
		fmt.Println("hint:", e.Hint)
	}
	// Output:
	// api-key: 14 bytes
	// secret "db-url" not found in agent my-agent
	// hint: list the agent's secrets with `swiftclaw secrets list my-agent`
}
