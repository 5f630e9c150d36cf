package sdkschema

//go:generate go run ./gen

// Kind is the JSON type of a field.
type Kind uint8

// The field kinds: scalars, arrays of scalars, objects, arrays of objects.
const (
	Str Kind = iota
	Num
	Bool
	StrArr
	NumArr
	BoolArr
	Obj
	ObjArr
)

// Field is one key of a model type. Ref is the index in Types of an Obj
// or ObjArr field's type, -1 otherwise. Null reports whether the SDK notes
// that the member may be null (注意：此字段可能返回 null).
type Field struct {
	Name string
	Kind Kind
	Ref  int
	Null bool
}

// Type is one model type and its fields in the SDK's order.
type Type struct {
	Name   string
	Fields []Field
}

// Member is one typed member of EventContent and the index of its type.
type Member struct {
	Name string
	Type int
}

// TypeIndex returns the index of the named type, or -1.
func TypeIndex(name string) int {
	for i, t := range Types {
		if t.Name == name {
			return i
		}
	}
	return -1
}
