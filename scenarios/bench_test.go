package scenarios

import "testing"

// BenchmarkParse measures parsing and validating the chaos built-in, the
// one that uses the most keys.
func BenchmarkParse(b *testing.B) {
	data, err := BuiltinFile("chaos")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse("chaos.yaml", data); err != nil {
			b.Fatal(err)
		}
	}
}
