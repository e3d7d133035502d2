package main

import "fmt"

// AgentsCmd groups agent-level commands.
type AgentsCmd struct {
	Rename AgentsRenameCmd `cmd:"" help:"Rename an agent: move its folder and re-seal every value for the new name (versions follow)."`
}

// AgentsRenameCmd is `agents rename OLD NEW`.
type AgentsRenameCmd struct {
	From string `arg:"" name:"old" help:"Current agent name."`
	To   string `arg:"" name:"new" help:"New agent name."`
}

// Run renames the agent in one commit.
func (c *AgentsRenameCmd) Run(g *Globals, env *Env) error {
	s, err := g.open(env)
	if err != nil {
		return err
	}
	wr, err := s.RenameAgent(env.Ctx, c.From, c.To)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "renamed agent %s to %s\n", c.From, c.To)
	printCommitted(env, wr)
	return nil
}
