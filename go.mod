module github.com/vodsim/vodsim

go 1.26

require (
	github.com/brianvoe/gofakeit/v6 v6.28.0
	github.com/spf13/pflag v1.1.0
)

require go.yaml.in/yaml/v3 v3.0.6
