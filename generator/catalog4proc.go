package generator

import "strconv"

// The 4.0 ProcedureStateChanged's processTaskList, as Tencent's archived
// document of the event gives it (tencentyun/qcloud-documents,
// product/视频服务/点播/0-存档旧文档（含弃用文档）/任务管理与事件通知/事件通知/任务流状态变更_intl_cn.md,
// and its English edition for ImageSprites): one element per subtask,
// {taskType, status, errCode, message, input, output}, output only when
// the subtask succeeded ("任务成功时会有该字段，失败则没有"), each task
// type with its own input and output keys.

// task4 is the 4.0 input and output types of a subtask kind, as indexes in
// types; in < 0 for a kind the document does not describe.
type task4 struct{ in, out int }

// tasks4 are by index in subtasks.
var tasks4 = func() []task4 {
	byType := map[string][2]string{
		"Transcode":            {"TranscodeInput4", "TranscodeOutput4"},
		"SnapshotByTimeOffset": {"SnapshotByTimeOffsetInput4", "SnapshotByTimeOffsetOutput4"},
		"SampleSnapshot":       {"DefinitionInput4", "SampleSnapshotOutput4"},
		"ImageSprites":         {"DefinitionInput4", "ImageSpritesOutput4"},
		"CoverBySnapshot":      {"CoverBySnapshotInput4", "CoverBySnapshotOutput4"},
	}
	out := make([]task4, len(subtasks))
	for s, st := range subtasks {
		out[s] = task4{-1, -1}
		if io, ok := byType[st.typ]; ok {
			out[s] = task4{legacyTypeIndex(io[0]), legacyTypeIndex(io[1])}
		}
	}
	return out
}()

// documented4 is s, or the nearest kind before it that the 4.0 document
// describes (CoverBySnapshot and Transcode always run): a flow's failing
// or PROCESSING subtask of a kind 4.0 does not show is shown on that one.
func documented4(s int) int {
	for s > 0 && tasks4[s].in < 0 {
		s--
	}
	return s
}

// procTaskList4 writes processTaskList: the subtasks of the same flow
// procResults writes in 3.0, but for the kinds the document lacks
// (AnimatedGraphics, AdaptiveDynamicStreaming).
func (c *filler) procTaskList4() {
	// The flow 3.0 draws for this event: its MediaProcessResultSet comes
	// after MetaData, whose Md5 draws twice unless the task failed (its
	// MetaData is then null). So both formats tell of the same subtasks.
	r := c.r0
	if !c.fail {
		r.Uint64()
		r.Uint64()
	}
	flow, failAt, procAt := c.flowPlan(&r)
	if failAt >= 0 {
		failAt = documented4(failAt)
	}
	if procAt >= 0 {
		procAt = documented4(procAt)
	}
	c.b = append(c.b, '[')
	first := true
	c.depth++
	for s := range subtasks {
		t := tasks4[s]
		if t.in < 0 || !runs(flow, s, failAt, procAt) {
			continue
		}
		if !first {
			c.b = append(c.b, ',')
		}
		first = false
		c.sub, c.subFail, c.subState = s, s == failAt, 'F'
		if procAt >= 0 && s >= procAt {
			c.subState, c.subFail = 'P', false
		}
		c.b = append(c.b, `{"taskType":`...)
		c.b = appendString(c.b, subtasks[s].typ)
		switch {
		case c.subState == 'P':
			c.b = append(c.b, `,"status":"PROCESSING","errCode":0,"message":""`...)
		case c.subFail:
			c.b = append(c.b, `,"status":"FAIL","errCode":`...)
			c.b = strconv.AppendInt(c.b, int64(c.e.Status), 10)
			c.b = append(c.b, `,"message":`...)
			c.b = appendString(c.b, errExt[c.e.Status][1])
		default:
			c.b = append(c.b, `,"status":"SUCCESS","errCode":0,"message":""`...)
		}
		c.b = append(c.b, `,"input":`...)
		c.obj(t.in)
		if c.subState != 'P' && !c.subFail {
			c.b = append(c.b, `,"output":`...)
			c.obj(t.out)
		}
		c.b = append(c.b, '}')
	}
	c.depth--
	c.sub, c.subFail, c.subState = -1, false, 0
	c.b = append(c.b, ']')
}
