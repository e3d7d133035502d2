package main

import (
	"fmt"
	"os"

	"filippo.io/age"
	"filippo.io/age/plugin"
)

// agePluginSwifttest is age-plugin-swifttest, a test age plugin built into the test
// binary and put on PATH by testscript. Its recipient payload is an age X25519 recipient
// string and its identity payload an X25519 identity string, so encryption is real age
// under the plugin protocol (filippo.io/age/plugin's server side). When
// SWIFTTEST_PLUGIN_LOG is set it appends each state machine it runs, so scripts can see
// the plugin was used.
func agePluginSwifttest() {
	if log := os.Getenv("SWIFTTEST_PLUGIN_LOG"); log != "" {
		if f, err := os.OpenFile(log, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600); err == nil {
			fmt.Fprintln(f, os.Args[1:])
			f.Close()
		}
	}
	p, err := plugin.New("swifttest")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	p.HandleRecipient(func(data []byte) (age.Recipient, error) { return age.ParseX25519Recipient(string(data)) })
	p.HandleIdentity(func(data []byte) (age.Identity, error) { return age.ParseX25519Identity(string(data)) })
	os.Exit(p.Main())
}
