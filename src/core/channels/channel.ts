/**
 * The contract between a messaging channel (email, Slack) and the gateway.
 *
 * A channel turns what arrives into {@link IncomingMessage}s that are already
 * authenticated and authorized, and knows how to answer in the same thread. The
 * gateway owns everything in between (conversations, queueing, the sandbox).
 */

/** Which kind of channel a message came through. */
export type ChannelKind = 'email' | 'slack';

/** A file that came with a message. */
export interface IncomingAttachment {
  /** Sanitised file name (no directories), unique within the message. */
  filename: string;
  contentType: string;
  content: Buffer;
}

/** A message the gateway should act on. */
export interface IncomingMessage {
  channel: ChannelKind;
  repoId: string;
  /** Stable id of this message for de-duplication (e.g. the email Message-ID, the Slack event id). */
  messageId: string;
  /** The conversation this message continues, when the channel found one; otherwise a new one is made. */
  conversationId: string | undefined;
  /** Who sent it, as shown to Claude and in logs (e.g. `Ada Lovelace <ada@example.com>`). */
  sender: string;
  /** Subject or thread title, when the channel has one. */
  subject: string | undefined;
  /** The instruction text, with quoted history removed. */
  text: string;
  attachments: IncomingAttachment[];
  receivedAt: Date;
  /** A model the sender asked for through the channel (e.g. `airut+opus@...`). */
  modelHint: string | undefined;
  /**
   * Blocked requests the sender approved by a button under an earlier reply,
   * exactly as that reply listed them. The gateway grants one only when the
   * conversation's last run was blocked on that very request (whatever its
   * number now); `text` then only says what was pressed and is not read for
   * `allow N`.
   */
  approves?: ApprovableEntry[];
}

/** A blocked request a reply offers to approve: its number in the reply's receipt and what it names. */
export interface ApprovableEntry {
  /** Its number in the reply's blocked list (what `allow N` names). */
  number: number;
  method: string;
  host: string;
  /** The request path without its query. */
  pathPrefix: string;
}

/** What the gateway sends back. */
export interface OutgoingReply {
  /** Claude's answer (or a status message) as Markdown. */
  markdown: string;
  /** Files to attach (from `/outbox`). */
  attachments: { filename: string; path: string }[];
  /** Kind of reply, so a channel can style it (e.g. Slack reactions). */
  kind: 'acknowledgement' | 'result' | 'error' | 'interrupted';
  /** Optional one-line footer (cost, dashboard link). */
  footer?: string;
  /**
   * The blocked requests of the run this reply answers that the user may
   * approve from the thread, numbered as the receipt lists them. Set only
   * when the repo's approvals are on; a channel with buttons (Slack) offers
   * them, others leave it to the receipt's `allow N` text.
   */
  approvable?: ApprovableEntry[];
}

/** Connection state of a channel, shown by the dashboard and `airut check`. */
export interface ChannelState {
  state: 'starting' | 'connected' | 'idle' | 'polling' | 'backoff' | 'stopped' | 'failed';
  lastError?: string;
  /** When the next reconnect attempt happens, while in backoff. */
  retryAt?: Date;
}

/** A message that opens a new thread, not answering anything (a scheduled task's result). */
export interface NewThread {
  /** Recipient: an email address, or a Slack channel or user id. */
  to: string;
  conversationId: string;
  /** Subject or first line of the thread. */
  subject: string;
  reply: OutgoingReply;
  /**
   * Names this message among all a conversation sends (e.g. the schedule and
   * its fire time), so the same message sent again keeps its Message-ID.
   */
  key: string;
}

/** One item of Claude's plan: an entry of its latest `TodoWrite` list. */
export interface PlanItem {
  /** What is to be done, in the imperative ("Run the tests"). */
  content: string;
  /** The same in the present continuous ("Running the tests"), when Claude gave one. */
  activeForm?: string;
  status: 'pending' | 'in_progress' | 'completed';
}

/** How a task ended, as its progress display marks it. */
export type TaskEnd = 'completed' | 'failed' | 'stopped';

/**
 * The live progress of one task in its thread. The gateway hands it each new
 * plan as Claude writes it and ends it once the run is over, before the
 * answer is sent. Neither call ever fails the task: a channel logs its own
 * delivery problems.
 */
export interface TaskProgress {
  /** The latest plan; the channel shows it at its own pace, a newer one replacing an older one not yet shown. */
  plan(items: readonly PlanItem[]): void;
  /** Shows the last plan given (nothing when there was none) marked with how the task ended; resolves once that is sent. */
  end(outcome: TaskEnd): Promise<void>;
}

/** Called by a channel for each authorized message; resolves once the gateway has taken it. */
export type MessageHandler = (message: IncomingMessage) => Promise<void>;

/**
 * A channel adapter. `start` begins listening and never gives up silently
 * (reconnects with backoff and reports it through `state()`); `reply` answers in
 * the message's thread; `complete` tells the channel the message is fully
 * handled (replied to, or rejected), so it may remove it from its inbox.
 */
export interface ChannelAdapter {
  readonly kind: ChannelKind;
  start(onMessage: MessageHandler): Promise<void>;
  stop(): Promise<void>;
  reply(message: IncomingMessage, conversationId: string, reply: OutgoingReply): Promise<void>;
  complete(message: IncomingMessage): Promise<void>;
  /**
   * Sends a message that starts a new thread, and remembers that the thread
   * belongs to its conversation: a reply in it reaches that conversation
   * through the channel's normal, authenticated path.
   */
  startThread(thread: NewThread): Promise<void>;
  state(): ChannelState;
  /**
   * Starts showing the progress of the task that answers `message`. Absent
   * when the channel shows none (email: one acknowledgement and one answer
   * are its whole contract).
   */
  progress?(message: IncomingMessage, conversationId: string): TaskProgress;
  /**
   * Housekeeping: forgets what the channel keeps about conversations that no
   * longer exist (Slack's thread map). Resolves with how many entries went.
   */
  prune?(exists: (conversationId: string) => boolean): Promise<number>;
}
