export type {
  ApprovableEntry,
  ChannelAdapter,
  ChannelKind,
  ChannelState,
  IncomingAttachment,
  IncomingMessage,
  MessageHandler,
  NewThread,
  OutgoingReply,
  PlanItem,
  TaskEnd,
  TaskProgress,
} from './channel.js';
export { safeFileName } from './safe-file-name.js';
