package generator

// DecodeStrict and DecodeFast are Decode's two ways, for the differential
// test in package generator_test.
var (
	DecodeStrict = decodeStrict
	DecodeFast   = decodeFast
)
