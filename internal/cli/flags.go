package cli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// command is one verb's flag set plus its one-line usage.
type command struct {
	fs    *flag.FlagSet
	usage string // e.g. "show ID [--json] [--artifact NAME --out FILE]"
	about string
}

func newCommand(e *Env, usage, about string) *command {
	name, _, _ := strings.Cut(usage, " ")
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return &command{fs: fs, usage: usage, about: about}
}

func (c *command) help(w io.Writer) {
	fmt.Fprintf(w, "Usage: ringfence %s\n\n%s\n", c.usage, c.about)
	var n int
	c.fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprintln(w, "\nFlags:")
		printFlags(w, c.fs)
	}
}

// printFlags lists the flags as usage lines spell them, "--name VALUE"
// (flag.PrintDefaults writes "-name", which no usage line here uses).
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		arg, usage := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if arg != "" {
			line += " " + arg
		}
		usage = strings.ReplaceAll(usage, "\n", "\n    \t")
		switch f.DefValue {
		case "", "false", "0", "[]":
		default:
			usage += fmt.Sprintf(" (default %q)", f.DefValue)
		}
		fmt.Fprintf(w, "%s\n    \t%s\n", line, usage)
	})
}

// parse accepts flags before and after positional arguments (so
// "show ID --json" works) and handles --help. It returns the positional
// arguments, or an exit code when the verb should stop now.
func (c *command) parse(e *Env, args []string, minPos, maxPos int) ([]string, int, bool) {
	var pos []string
	for {
		err := c.fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			c.help(e.Stdout)
			return nil, ExitOK, false
		}
		if err != nil {
			fmt.Fprintf(e.Stderr, "ringfence %s: %v\n\n", c.fs.Name(), err)
			c.help(e.Stderr)
			return nil, ExitUsage, false
		}
		rest := c.fs.Args()
		if len(rest) == 0 {
			break
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
	if len(pos) < minPos || len(pos) > maxPos {
		fmt.Fprintf(e.Stderr, "ringfence %s: wrong number of arguments\n\n", c.fs.Name())
		c.help(e.Stderr)
		return nil, ExitUsage, false
	}
	return pos, ExitOK, true
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
