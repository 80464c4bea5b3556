export type {
  ChannelAdapter,
  ChannelKind,
  ChannelState,
  IncomingAttachment,
  IncomingMessage,
  MessageHandler,
  NewThread,
  OutgoingReply,
} from './channel.js';
export { safeFileName } from './safe-file-name.js';
