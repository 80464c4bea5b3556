export type {
  ChannelAdapter,
  ChannelKind,
  ChannelState,
  IncomingAttachment,
  IncomingMessage,
  MessageHandler,
  OutgoingReply,
} from './channel.js';
export { safeFileName } from './safe-file-name.js';
