// Package spritekeys names the members of a CreateImageSpriteComplete
// event in its two shapes, for the readers that walk a sprite payload in
// one pass (the generator's Decode and the checking receiver).
package spritekeys

// The members of a sprite event, in the order of Keys.
const (
	Status = iota
	Message
	Task
	File
	Definition
	Total
	URLs
	WebVTT
)

// Keys are a sprite event's keys in 3.0 (Keys[0]) and in 4.0 (Keys[1]).
var Keys = [2][8]string{
	{"ErrCode", "Message", "TaskId", "FileId", "Definition", "TotalCount", "ImageSpriteUrlSet", "WebVttUrl"},
	{"status", "message", "vodTaskId", "fileId", "definition", "totalCount", "imageSpriteUrl", "webVttUrl"},
}
