package main

import "fmt"

// nouns writes a count with its noun in the singular or the plural:
// nouns(1, "event", "events") is "1 event", nouns(2, ...) "2 events".
func nouns[N ~int | ~int64 | ~uint64](n N, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
