/**
 * The event log (`events.jsonl`): every stream-json event of a conversation,
 * one per line as Claude Code printed it, replies separated by an empty line.
 */
export { EventLog } from './event-log.js';
export { readFromOffset, readReplies, type EventLogChunk } from './read-event-log.js';
export { EventLogError, type EventLogErrorCode } from './error.js';
