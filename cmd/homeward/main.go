// Command homeward is the one binary of Homeward, the return and
// reintegration case-management system: `homeward serve` runs the JSON API,
// the web UI and the background work; the other subcommands administer it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"sort"
	"strings"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// env is how the program reads its environment; tests pass a map.
type env func(string) string

// program holds what a run needs from the outside world, so that tests can
// call run with their own.
type program struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         env
	// onListen, when set, is called with the server's address once it
	// listens (tests start the server on port 0).
	onListen func(addr string)
	// onMetrics, when set, is called with the metrics address once it
	// listens (tests).
	onMetrics func(addr string)
	// args holds the positional arguments of the last parse.
	args []string
}

type command struct {
	summary string
	run     func(ctx context.Context, p *program, args []string) error
}

var commands map[string]command

func init() {
	commands = map[string]command{
		"serve":   {"run the server (JSON API, web UI, background work)", cmdServe},
		"demo":    {"start the server on a fresh database with the demo world", cmdDemo},
		"migrate": {"apply pending database migrations and list them", cmdMigrate},
		"org":     {"create and list organisations", cmdOrg},
		"user":    {"manage users: create, list, disable, enable, reset-password, reset-second-factor, token", cmdUser},
		"audit":   {"verify the audit log's keyed hash chains, or anchor them in a signed checkpoint", cmdAudit},
		"backup":  {"copy the database consistently while the server runs (SQLite: VACUUM INTO; PostgreSQL: pg_dump)", cmdBackup},
		"restore": {"put a backup back into a fresh data directory or an empty PostgreSQL database", cmdRestore},
		"version": {"print the version", cmdVersion},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	p := &program{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	// HOMEWARD_CPUPROFILE=FILE profiles any command (go tool pprof FILE).
	if path := os.Getenv("HOMEWARD_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			defer f.Close()
			if pprof.StartCPUProfile(f) == nil {
				defer pprof.StopCPUProfile()
			}
		}
	}
	err := p.run(ctx, os.Args[1:])
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "homeward:", err)
		}
		pprof.StopCPUProfile()
		os.Exit(exitCode(err))
	}
}

// usageError marks errors in how the command was called (exit status 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func exitCode(err error) int {
	var u usageError
	if errors.As(err, &u) || errors.Is(err, flag.ErrHelp) {
		return 2
	}
	return 1
}

func (p *program) run(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		p.usage()
		if len(args) == 0 {
			return usageError{"no command given"}
		}
		return nil
	}
	c, ok := commands[args[0]]
	if !ok {
		p.usage()
		return usageError{fmt.Sprintf("unknown command %q", args[0])}
	}
	return c.run(ctx, p, args[1:])
}

func (p *program) usage() {
	fmt.Fprintf(p.stderr, "Homeward: return and reintegration case management.\n\nUsage: homeward COMMAND [flags]\n\nCommands:\n")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(p.stderr, "  %-9s %s\n", n, commands[n].summary)
	}
	fmt.Fprintf(p.stderr, "\nRun homeward COMMAND --help for a command's flags. Every flag can also be set by an\nenvironment variable HOMEWARD_<FLAG> (for example HOMEWARD_DATABASE).\n")
}

// flagSet returns a flag set that prints its usage to p.stderr and whose
// flags default to HOMEWARD_* environment variables (applied by parse).
func (p *program) flagSet(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet("homeward "+name, flag.ContinueOnError)
	fs.SetOutput(p.stderr)
	fs.Usage = func() {
		fmt.Fprintf(p.stderr, "Usage: homeward %s\n\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// parse applies HOMEWARD_<NAME> environment variables to flags not given on
// the command line, then parses args. Flags win over the environment.
func (p *program) parse(fs *flag.FlagSet, args []string) error {
	// Flags may follow positional arguments (user disable EMAIL --json).
	p.args = nil
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return err
			}
			return usageError{err.Error()}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if rest[0] == "--" {
			p.args = append(p.args, rest[1:]...)
			break
		}
		p.args = append(p.args, rest[0])
		args = rest[1:]
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] {
			return
		}
		key := "HOMEWARD_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v := p.getenv(key); v != "" {
			if err := f.Value.Set(v); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", key, err))
			}
		}
	})
	if len(errs) > 0 {
		return usageError{errors.Join(errs...).Error()}
	}
	return nil
}

func cmdVersion(ctx context.Context, p *program, args []string) error {
	fs := p.flagSet("version", "version")
	if err := p.parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(p.stdout, "homeward", version)
	return nil
}
