// Package plot draws the journals of a send (sender.Config.Journal) as one
// self-contained HTML page: the latency of every event over time, coloured
// by its final state; the achieved against the target rate, per second;
// and the retries per second. The charts are inline SVG made here, so the
// page fetches nothing (no script, style sheet or font) and shows in any
// browser, offline. Points beyond what a browser draws smoothly are
// binned: each pixel cell of the latency chart is drawn once, in the
// colour of the worst state that fell in it.
package plot
