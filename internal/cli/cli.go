// Package cli holds the ringfence command line: verb dispatch, help, and the
// native-messaging entry point used when a browser starts the binary.
package cli

import (
	"context"
	"fmt"
	"io"
	"os"
)

// Env is everything a verb may touch of the outside world, so tests can run
// verbs in-process with their own streams and environment.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
}

// OSEnv is the real process environment.
func OSEnv() *Env {
	return &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
}

// Exit codes, documented in docs/cli.md. Never renumber.
const (
	ExitOK       = 0 // success
	ExitFailure  = 1 // the verb ran and failed, or found a problem (doctor, verify)
	ExitUsage    = 2 // bad flags or arguments
	ExitNotFound = 3 // the named snapshot, artifact or audit does not exist
)

type verb struct {
	name    string
	summary string
	run     func(ctx context.Context, e *Env, args []string) int
}

func verbs() []verb {
	return []verb{
		{"version", "print the host version", runVersion},
		{"install", "register the native messaging host with installed browsers", runInstall},
		{"uninstall", "remove what install wrote", runUninstall},
		{"doctor", "check the data dir, database, keyring and browser registrations", runDoctor},
		{"list", "list stored snapshots", runList},
		{"show", "show one snapshot and its artifacts", runShow},
		{"events", "print the append-only event log", runEvents},
		{"export", "write an evidence kit (zip or WACZ)", runExport},
		{"verify", "verify an evidence kit or WACZ", runVerify},
		{"timestamp", "add a trusted RFC 3161 timestamp to a kit (prepared offline)", runTimestamp},
		{"rules", "list the warning rules and where each comes from", runRules},
		{"serve", "serve the evidence dashboard on loopback", runServe},
		{"diff", "compare two snapshots of the same page", runDiff},
		{"import", "import emails, PDFs, images and transcripts as evidence", runImport},
		{"delete", "delete a snapshot or import (a tombstone stays in the log)", runDelete},
		{"audits", "list the guided account audits", runAudits},
		{"audit", "show one audit: what changed, what needs action (audit show ID)", runAudit},
	}
}

// Main runs the binary with the given argv and returns the process exit code.
func Main(ctx context.Context, e *Env, argv []string) int {
	args := argv[1:]
	if isNativeLaunch(args) {
		return runNative(ctx, e, args)
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(e.Stdout)
		if len(args) == 0 {
			return ExitUsage
		}
		return ExitOK
	}
	for _, v := range verbs() {
		if v.name == args[0] {
			return v.run(ctx, e, args[1:])
		}
	}
	fmt.Fprintf(e.Stderr, "ringfence: unknown command %q\n\n", args[0])
	usage(e.Stderr)
	return ExitUsage
}

func usage(w io.Writer) {
	fmt.Fprint(w, `Ringfence keeps a local, verifiable record of your OpenAI account settings.

This program is the native messaging host the Ringfence extension talks to; a
browser starts it by itself. Run by hand it takes one of these commands:

`)
	for _, v := range verbs() {
		fmt.Fprintf(w, "  %-10s %s\n", v.name, v.summary)
	}
	fmt.Fprintln(w, `
Run 'ringfence COMMAND --help' for a command's flags.
Data lives in $RINGFENCE_HOME (default: the OS data folder).`)
}

// check is one line of `ringfence doctor`: what was looked at, whether it is
// fine, and when it is not, the one-sentence fix.
type check struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail,omitempty"`
	Fix    string `json:"fix,omitempty"`
}
