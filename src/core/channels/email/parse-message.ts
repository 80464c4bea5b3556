/**
 * Reading a raw mail into what the gateway needs: the instruction text (HTML
 * converted, quoted history removed), attachments under safe names, threading
 * headers and the model hint of a subaddress (`airut+opus@example.com`).
 */
import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject, type Attachment } from 'mailparser';
import type { IncomingAttachment } from '../channel.js';
import { htmlToText } from './html-to-text.js';
import { stripPlainTextQuotes } from './plain-text-quotes.js';
import { messageIdTokens } from './threading.js';

/** The parts of a mail the channel uses. */
export interface ParsedEmail {
  /** The Message-ID with angle brackets; derived from the content when the mail has none. */
  messageId: string;
  subject: string | undefined;
  /** Display name from `From`, when there is one. */
  displayName: string | undefined;
  text: string;
  attachments: IncomingAttachment[];
  /** Attachments left out, with the reason (too large, empty). */
  skippedAttachments: string[];
  inReplyTo: string[];
  references: string[];
  modelHint: string | undefined;
  date: Date | undefined;
}

/** Parses `raw`; `maxAttachmentBytes` caps each saved attachment. */
export async function parseEmail(raw: Buffer, maxAttachmentBytes: number): Promise<ParsedEmail> {
  const mail = await simpleParser(raw, { skipImageLinks: true, skipTextLinks: true });
  const html = typeof mail.html === 'string' ? mail.html : '';
  const text = html.trim() !== '' ? htmlToText(html) : stripPlainTextQuotes(mail.text ?? '');
  const { attachments, skipped } = pickAttachments(mail.attachments, maxAttachmentBytes);
  const messageId = messageIdTokens(mail.messageId)[0] ?? `<sha256.${createHash('sha256').update(raw).digest('hex').slice(0, 32)}@airut.invalid>`;
  const name = firstAddress(mail.from)?.name;
  return {
    messageId,
    subject: mail.subject,
    displayName: name === undefined || name === '' ? undefined : name,
    text,
    attachments,
    skippedAttachments: skipped,
    inReplyTo: messageIdTokens(mail.inReplyTo),
    references: messageIdTokens(mail.references),
    modelHint: modelHintOf(mail.to),
    date: mail.date,
  };
}

/** `airut+opus@example.com` -> `opus`, from the first `To` address that has a subaddress. */
function modelHintOf(to: AddressObject | AddressObject[] | undefined): string | undefined {
  const lists = to === undefined ? [] : Array.isArray(to) ? to : [to];
  for (const list of lists) {
    for (const entry of list.value) {
      const match = /\+([A-Za-z0-9_.-]+)@/.exec(entry.address ?? '');
      if (match?.[1] !== undefined) return match[1].toLowerCase();
    }
  }
  return undefined;
}

function firstAddress(from: AddressObject | undefined): { name: string; address?: string } | undefined {
  return from?.value[0];
}

function pickAttachments(parts: readonly Attachment[], maxBytes: number): { attachments: IncomingAttachment[]; skipped: string[] } {
  const attachments: IncomingAttachment[] = [];
  const skipped: string[] = [];
  const used = new Set<string>();
  for (const part of parts) {
    // Inline parts (signatures, embedded images) are decoration, not files sent on purpose.
    if (part.contentDisposition !== 'attachment' || part.filename === undefined) continue;
    const name = sanitizeFilename(part.filename);
    if (name === undefined) {
      skipped.push(`${part.filename} (unusable file name)`);
      continue;
    }
    if (part.content.length === 0) {
      skipped.push(`${name} (empty)`);
      continue;
    }
    if (part.content.length > maxBytes) {
      skipped.push(`${name} (${part.content.length} bytes, over the ${maxBytes}-byte limit)`);
      continue;
    }
    const unique = uniqueName(name, used);
    used.add(unique);
    attachments.push({ filename: unique, contentType: part.contentType, content: part.content });
  }
  return { attachments, skipped };
}

/**
 * The last path segment of `name` with control characters removed; undefined
 * for names that are empty or only dots.
 */
export function sanitizeFilename(name: string): string | undefined {
  const base = name.split(/[/\\]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this removes or delimits
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 200);
  if (clean === '' || /^\.+$/.test(clean)) return undefined;
  return clean;
}

function uniqueName(name: string, used: ReadonlySet<string>): string {
  if (!used.has(name)) return name;
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : '';
  for (let n = 1; ; n += 1) {
    const candidate = `${stem}-${n}${ext}`;
    if (!used.has(candidate)) return candidate;
  }
}
