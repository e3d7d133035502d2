package main

import (
	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/sdk/protocol"
)

// ServeCmd is `swiftclaw serve --stdio [--agent AGENT]`: the SDK protocol (sdk/PROTOCOL.md)
// for a long-lived child of the agent process.
type ServeCmd struct {
	Stdio bool   `help:"Serve on standard input and output (the SDKs start swiftclaw this way)."`
	Agent string `placeholder:"AGENT" help:"Answer for this agent only; requests for any other agent are refused."`
}

// Run serves requests until standard input ends. The project is opened and identities are
// loaded once, on the first request that needs them; a project that cannot be opened is
// reported to each request as a typed error rather than by exiting.
func (c *ServeCmd) Run(g *Globals, env *Env) error {
	if !c.Stdio {
		return errs.New(errs.Input, "serve needs a transport").WithHint("swiftclaw serve --stdio")
	}
	var store protocol.Store
	opts := protocol.Options{Agent: c.Agent, Server: "swiftclaw " + buildVersion()}
	if s, err := g.open(env); err != nil {
		store = protocol.Unavailable(err)
	} else {
		store, opts.GetVersion = s, versionGetter(s)
	}
	err := protocol.Serve(env.Ctx, env.Stdin, env.Stdout, store, opts)
	if err != nil {
		return errs.Wrap(errs.Internal, err, "serve")
	}
	return nil
}
