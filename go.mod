module github.com/vodsim/vodsim

go 1.26

require (
	github.com/HdrHistogram/hdrhistogram-go v1.1.2
	github.com/brianvoe/gofakeit/v6 v6.28.0
	github.com/spf13/pflag v1.1.0
)

require github.com/stretchr/testify v1.8.0 // indirect
