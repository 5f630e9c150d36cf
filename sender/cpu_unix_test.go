//go:build unix

package sender

func init() { processCPU = cpuTime }
