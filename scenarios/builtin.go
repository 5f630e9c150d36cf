package scenarios

import (
	"embed"
	"fmt"
	"strings"
)

//go:embed builtin/*.yaml
var builtinFS embed.FS

// Info names and describes a built-in scenario; a plain value.
type Info struct {
	Name        string
	Description string
}

// builtinOrder is the order Builtins lists the built-ins in: the everyday
// ones first.
var builtinOrder = []string{"default", "success", "failures", "chaos", "ramp", "seed-examples"}

func builtinNames() []string { return builtinOrder }

func builtinPath(name string) string { return "builtin/" + name + ".yaml" }

// BuiltinFile returns the YAML source of the named built-in scenario, to
// show or copy it. The name may carry BuiltinPrefix, as Load takes it.
func BuiltinFile(name string) ([]byte, error) {
	name = strings.TrimPrefix(name, BuiltinPrefix)
	for _, n := range builtinOrder {
		if n == name {
			return builtinFS.ReadFile(builtinPath(name))
		}
	}
	return nil, fmt.Errorf("%w %q: the built-ins are %s%s", ErrNotFound, name, strings.Join(builtinOrder, ", "), hint(name, builtinOrder))
}

// Builtins lists the embedded scenarios, name and description, in a stable
// order: default first.
func Builtins() []Info {
	out := make([]Info, 0, len(builtinOrder))
	for _, name := range builtinOrder {
		s, err := Load(name)
		if err != nil {
			// The package's tests keep this from happening.
			out = append(out, Info{Name: name, Description: "invalid built-in: " + err.Error()})
			continue
		}
		out = append(out, Info{Name: s.Name, Description: s.Description})
	}
	return out
}
