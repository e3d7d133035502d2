package main

import (
	"fmt"

	"github.com/swiftclaw/swiftclaw/vault"
)

// InitCmd is `swiftclaw init`.
type InitCmd struct {
	User string `placeholder:"EMAIL" help:"Owner email (default: git config user.email)."`
}

// Run initializes the project.
func (c *InitCmd) Run(g *Globals, env *Env) error {
	_, res, err := vault.Init(env.Ctx, g.storeOptions(env), vault.InitOptions{Owner: c.User})
	if err != nil {
		return err
	}
	if res.Already {
		fmt.Fprintln(env.Stdout, "swiftclaw is already initialized here; nothing changed.")
		return nil
	}
	if res.MergeDriver {
		fmt.Fprintln(env.Stdout, "Registered the swiftclaw merge driver (.gitattributes and git config merge.swiftclaw).")
	}
	if res.Owner != "" {
		fmt.Fprintf(env.Stdout, "Initialized .swiftclaw/ with owner %s (%s).\n", res.Owner, res.OwnerKey)
	} else {
		fmt.Fprintln(env.Stdout, "Restored missing .swiftclaw/ files.")
	}
	printCommitted(env, res.WriteResult)
	return nil
}

func printCommitted(env *Env, wr *vault.WriteResult) {
	if wr == nil {
		return
	}
	for _, w := range wr.Warnings {
		warn(env, "%s", w)
	}
	if wr.Commit != "" {
		fmt.Fprintf(env.Stderr, "committed %s\n", wr.Commit[:min(len(wr.Commit), 12)])
	}
}
