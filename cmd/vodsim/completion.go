package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/pflag"

	"github.com/vodsim/vodsim/generator"
	"github.com/vodsim/vodsim/scenarios"
)

func init() {
	register("completion", "print a shell completion script (bash, zsh or fish)", func(io stdio) command { return &completionCmd{io: io} })
}

type completionCmd struct{ io stdio }

// completionShells are the shells completion writes scripts for.
var completionShells = []string{"bash", "zsh", "fish"}

func (c *completionCmd) Run(ctx context.Context, args []string) error {
	fs := newFlagSet(c.io, "completion", `
Usage: vodsim completion bash|zsh|fish

Prints a script that completes vodsim's subcommands, their flags, and the
values of the flags that take a known set (--format, --scenario's
built-ins, the shells here). Load it in the shell's start-up file.`, `
  vodsim completion bash > ~/.vodsim.bash                 # then in ~/.bashrc: source ~/.vodsim.bash
  vodsim completion zsh > "${fpath[1]}/_vodsim"           # then restart zsh
  vodsim completion fish > ~/.config/fish/completions/vodsim.fish`)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageErrorf("completion: name one shell: bash, zsh or fish (run 'vodsim completion --help')")
	}
	cmds := completionModel(ctx)
	var b bytes.Buffer
	switch fs.Arg(0) {
	case "bash":
		writeBash(&b, cmds)
	case "zsh":
		writeZsh(&b, cmds)
	case "fish":
		writeFish(&b, cmds)
	default:
		return usageErrorf("completion: unknown shell %q: want bash, zsh or fish", fs.Arg(0))
	}
	_, err := c.io.out.Write(b.Bytes())
	return err
}

// compCmd is what a completion script knows of one subcommand.
type compCmd struct {
	name, summary string
	flags         []compFlag
	// args are the words its positional arguments are drawn from; nil
	// means file names.
	args []string
}

type compFlag struct {
	name, short, usage string
	takesValue         bool
	repeatable         bool
	file               bool     // the value is a file name
	values             []string // the value is one of these
}

// completionModel reads every subcommand's flags from the FlagSet it
// makes: each is run with --help, its output discarded.
func completionModel(ctx context.Context) []compCmd {
	var scen []string
	for _, in := range scenarios.Builtins() {
		scen = append(scen, in.Name)
	}
	var out []compCmd
	for _, c := range commands {
		var seen *pflag.FlagSet
		io := stdio{in: strings.NewReader(""), out: io.Discard, err: io.Discard, flagSet: func(fs *pflag.FlagSet) {
			if seen == nil {
				seen = fs
			}
		}}
		_ = c.make(io).Run(ctx, []string{"--help"})
		cc := compCmd{name: c.name, summary: c.summary}
		switch c.name {
		case "completion":
			cc.args = completionShells
		case "trigger":
			cc.args = kindNames()
		case "version", "scenarios", "send", "serve", "receive", "gen", "forward", "events":
			cc.args = []string{}
		}
		if seen != nil {
			seen.VisitAll(func(f *pflag.Flag) {
				cf := compFlag{name: f.Name, short: f.Shorthand, usage: firstLine(f.Usage), takesValue: f.NoOptDefVal == ""}
				t := f.Value.Type()
				cf.repeatable = strings.HasSuffix(t, "Array") || strings.HasSuffix(t, "Slice")
				switch {
				case f.Name == "format":
					cf.values = []string{string(generator.FormatV4), string(generator.FormatV3)}
				case f.Name == "scenario":
					cf.values, cf.file = scen, true
				case f.Name == "event-type":
					cf.values = append([]string{"all"}, kindNames()...)
				case strings.Contains(f.Usage, "FILE"):
					cf.file = true
				}
				cc.flags = append(cc.flags, cf)
			})
		}
		cc.flags = append(cc.flags, compFlag{name: "help", short: "h", usage: "print this help"})
		out = append(out, cc)
	}
	return out
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

func (c compCmd) flagWords() []string {
	var w []string
	for _, f := range c.flags {
		w = append(w, "--"+f.name)
		if f.short != "" {
			w = append(w, "-"+f.short)
		}
	}
	return w
}

func writeBash(b *bytes.Buffer, cmds []compCmd) {
	var names []string
	for _, c := range cmds {
		names = append(names, c.name)
	}
	fmt.Fprintf(b, `# bash completion for vodsim (vodsim completion bash)
_vodsim() {
    local cur prev sub
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    if ((COMP_CWORD == 1)); then
        COMPREPLY=($(compgen -W '%s' -- "$cur"))
        return
    fi
    sub=${COMP_WORDS[1]}
    local flags='' valued='' args='' files=1
    case $sub in
`, strings.Join(names, " "))
	for _, c := range cmds {
		var valued []string
		for _, f := range c.flags {
			if f.takesValue {
				valued = append(valued, "--"+f.name)
				if f.short != "" {
					valued = append(valued, "-"+f.short)
				}
			}
		}
		files := 1
		if c.args != nil {
			files = 0
		}
		fmt.Fprintf(b, "    %s) flags='%s' valued=' %s ' args='%s' files=%d ;;\n",
			c.name, strings.Join(c.flagWords(), " "), strings.Join(valued, " "), strings.Join(c.args, " "), files)
	}
	b.WriteString("    esac\n    case $prev in\n")
	vals := map[string][]string{}
	fileVals := map[string]bool{}
	var keys []string
	for _, c := range cmds {
		for _, f := range c.flags {
			if len(f.values) > 0 {
				if _, ok := vals[f.name]; !ok {
					keys = append(keys, f.name)
				}
				vals[f.name], fileVals[f.name] = f.values, f.file
			}
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		f := ""
		if fileVals[k] {
			f = " -f"
		}
		fmt.Fprintf(b, "    --%s) COMPREPLY=($(compgen -W '%s'%s -- \"$cur\")); return ;;\n", k, strings.Join(vals[k], " "), f)
	}
	b.WriteString(`    esac
    if [[ $valued == *" $prev "* ]]; then
        COMPREPLY=($(compgen -f -- "$cur"))
        return
    fi
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$flags" -- "$cur"))
    elif ((files)); then
        COMPREPLY=($(compgen -f -- "$cur"))
    else
        COMPREPLY=($(compgen -W "$args" -- "$cur"))
    fi
}
complete -o default -F _vodsim vodsim
`)
}

// zshQuote quotes s for a single-quoted zsh word inside an _arguments
// description: brackets and colons are replaced, quotes escaped.
func zshQuote(s string) string {
	s = strings.NewReplacer("[", "(", "]", ")", ":", " -", `\`, `\\`).Replace(s)
	return strings.ReplaceAll(s, "'", `'\''`)
}

func writeZsh(b *bytes.Buffer, cmds []compCmd) {
	b.WriteString("#compdef vodsim\n# zsh completion for vodsim (vodsim completion zsh)\n\n_vodsim() {\n    local -a subcmds\n    subcmds=(\n")
	for _, c := range cmds {
		fmt.Fprintf(b, "        '%s:%s'\n", c.name, zshQuote(c.summary))
	}
	b.WriteString(`    )
    if (( CURRENT == 2 )); then
        _describe 'subcommand' subcmds
        return
    fi
    local sub=${words[2]}
    shift words
    (( CURRENT-- ))
    case $sub in
`)
	for _, c := range cmds {
		fmt.Fprintf(b, "    %s)\n        _arguments -s \\\n", c.name)
		for _, f := range c.flags {
			for _, form := range []string{"--" + f.name, "-" + f.short} {
				if form == "-" {
					continue
				}
				rep := ""
				if f.repeatable {
					rep = "*"
				}
				action := ""
				if f.takesValue {
					switch {
					case len(f.values) > 0 && f.file:
						action = fmt.Sprintf(":%s:{_alternative 'names:name:(%s)' 'files:file:_files'}", f.name, strings.Join(f.values, " "))
					case len(f.values) > 0:
						action = fmt.Sprintf(":%s:(%s)", f.name, strings.Join(f.values, " "))
					case f.file:
						action = ":file:_files"
					default:
						action = fmt.Sprintf(":%s: ", f.name)
					}
				}
				fmt.Fprintf(b, "            '%s%s[%s]%s' \\\n", rep, form, zshQuote(f.usage), strings.ReplaceAll(action, "'", `'\''`))
			}
		}
		switch {
		case c.args == nil:
			b.WriteString("            '*:file:_files'\n")
		case len(c.args) > 0:
			fmt.Fprintf(b, "            '1:argument:(%s)'\n", strings.Join(c.args, " "))
		default:
			b.WriteString("            ''\n")
		}
		b.WriteString("        ;;\n")
	}
	b.WriteString(`    esac
}

if [[ "${funcstack[1]}" == _vodsim ]]; then
    _vodsim "$@"
else
    compdef _vodsim vodsim
fi
`)
}

// fishQuote single-quotes s for fish.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(s) + "'"
}

func writeFish(b *bytes.Buffer, cmds []compCmd) {
	b.WriteString("# fish completion for vodsim (vodsim completion fish)\ncomplete -c vodsim -f\n")
	for _, c := range cmds {
		fmt.Fprintf(b, "complete -c vodsim -n __fish_use_subcommand -a %s -d %s\n", c.name, fishQuote(c.summary))
	}
	for _, c := range cmds {
		cond := fishQuote("__fish_seen_subcommand_from " + c.name)
		for _, f := range c.flags {
			fmt.Fprintf(b, "complete -c vodsim -n %s -l %s", cond, f.name)
			if f.short != "" {
				fmt.Fprintf(b, " -s %s", f.short)
			}
			switch {
			case !f.takesValue:
			case len(f.values) > 0 && f.file:
				fmt.Fprintf(b, " -r -F -a %s", fishQuote(strings.Join(f.values, " ")))
			case len(f.values) > 0:
				fmt.Fprintf(b, " -x -a %s", fishQuote(strings.Join(f.values, " ")))
			case f.file:
				b.WriteString(" -r -F")
			default:
				b.WriteString(" -x")
			}
			fmt.Fprintf(b, " -d %s\n", fishQuote(f.usage))
		}
		switch {
		case c.args == nil:
			fmt.Fprintf(b, "complete -c vodsim -n %s -F\n", cond)
		case len(c.args) > 0:
			fmt.Fprintf(b, "complete -c vodsim -n %s -a %s\n", cond, fishQuote(strings.Join(c.args, " ")))
		}
	}
}

// kindNames lists the catalog's event types, in its order.
func kindNames() []string {
	names := make([]string, len(generator.Kinds))
	for i, k := range generator.Kinds {
		names[i] = k.Name
	}
	return names
}
