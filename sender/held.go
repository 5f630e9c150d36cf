package sender

import "container/heap"

// heldEvent is an event held back for reordering until position release.
type heldEvent struct{ release, idx uint64 }

// heldQueue is a min-heap (container/heap) of held events by release
// position (then index).
type heldQueue []heldEvent

func (q heldQueue) Len() int        { return len(q) }
func (q heldQueue) peek() heldEvent { return q[0] }
func (q heldQueue) Less(a, b int) bool {
	if q[a].release != q[b].release {
		return q[a].release < q[b].release
	}
	return q[a].idx < q[b].idx
}
func (q heldQueue) Swap(a, b int) { q[a], q[b] = q[b], q[a] }
func (q *heldQueue) Push(x any)   { *q = append(*q, x.(heldEvent)) }
func (q *heldQueue) Pop() any {
	h := *q
	e := h[len(h)-1]
	*q = h[:len(h)-1]
	return e
}

func (q *heldQueue) push(e heldEvent) { heap.Push(q, e) }
func (q *heldQueue) pop() heldEvent   { return heap.Pop(q).(heldEvent) }
