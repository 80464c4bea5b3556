import type { ChannelKind } from '../channels/index.js';
import type { RejectedMail } from '../channels/email/index.js';

/** A refused message as kept for the dashboard: who, why, when; never its body. */
export interface RejectedRecord {
  at: Date;
  channel: ChannelKind;
  sender: string;
  reason: 'auth_failed' | 'unauthorized';
  /** The channel's words: the DMARC result, or the rule that refused the sender. */
  detail: string;
  messageId: string;
}

/**
 * The most recent refused messages of each repo, newest first, in memory
 * (the log has every one). Bounded per repo, so a flood of forged mail
 * cannot grow it.
 */
export class RejectedLog {
  private readonly byRepo = new Map<string, RejectedRecord[]>();

  constructor(private readonly options: { perRepo?: number; clock?: () => Date } = {}) {}

  /** Records a refusal. */
  add(repoId: string, rejected: RejectedMail, channel: ChannelKind): RejectedRecord {
    const record: RejectedRecord = {
      at: (this.options.clock ?? (() => new Date()))(),
      channel,
      sender: rejected.sender ?? '(unknown sender)',
      reason: rejected.kind,
      detail: rejected.reason,
      messageId: rejected.messageId,
    };
    const list = this.byRepo.get(repoId) ?? [];
    list.unshift(record);
    list.length = Math.min(list.length, this.options.perRepo ?? 50);
    this.byRepo.set(repoId, list);
    return record;
  }

  /** Refusals of `repoId`, newest first. */
  of(repoId: string): readonly RejectedRecord[] {
    return this.byRepo.get(repoId) ?? [];
  }
}
