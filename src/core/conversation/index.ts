/**
 * Conversations: their on-disk layout and metadata under the XDG state
 * directory, and the git mirror and workspaces they work in.
 */
export { ConversationError, type ConversationErrorCode } from './error.js';
export { newConversationId, isConversationId } from './conversation-id.js';
export { conversationLayout, conversationsDir, type ConversationLayout } from './conversation-layout.js';
export {
  parseConversation,
  serializeConversation,
  resumeSessionId,
  lastSuccessfulResponse,
  type ConversationRecord,
  type ReplyRecord,
} from './conversation-record.js';
export { ConversationStore, type ConversationStoreOptions, type ExpiredConversation } from './conversation-store.js';
export { GitMirror, removeWorkspaceLeftovers, type GitMirrorOptions, type MirrorFile } from './git-mirror.js';
export { createGitRunner, type GitRunner, type GitRunnerOptions, type GitOutput } from './git.js';
export { writeFileAtomic } from './atomic-write.js';
export { Mutex } from './mutex.js';
