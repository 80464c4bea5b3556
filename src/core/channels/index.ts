export type {
  ChannelAdapter,
  ChannelKind,
  ChannelState,
  IncomingAttachment,
  IncomingMessage,
  MessageHandler,
  OutgoingReply,
} from './channel.js';
