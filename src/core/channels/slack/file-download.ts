/**
 * Files attached in Slack are private: they are fetched with the bot token.
 * That token must never reach another host, so a file is fetched only from
 * the Web API's own host or its `files.` host (same scheme and port), and a
 * redirect is followed only to such a host. Anything that goes wrong skips the
 * file with a reason, so the prompt can say what is missing.
 */
import { safeFileName } from '../safe-file-name.js';
import type { IncomingAttachment } from '../channel.js';
import type { SlackFile } from './slack-event.js';

const MAX_REDIRECTS = 3;

/** Options of {@link downloadSlackFiles}. */
export interface FileDownloadOptions {
  /** The bot token (`xoxb-...`), sent as `Authorization: Bearer`. */
  token: string;
  /** The Web API base URL; files are fetched from its host only. */
  apiUrl: string;
  /** Larger files are skipped. */
  maxBytes: number;
  /** Per file, from request to last byte. */
  timeoutMs?: number;
}

/** What {@link downloadSlackFiles} got. */
export interface DownloadedFiles {
  attachments: IncomingAttachment[];
  /** One entry per file not fetched: `name (reason)`. */
  failed: string[];
}

/** Fetches `files` one after the other; never throws. */
export async function downloadSlackFiles(files: readonly SlackFile[], options: FileDownloadOptions): Promise<DownloadedFiles> {
  const attachments: IncomingAttachment[] = [];
  const failed: string[] = [];
  for (const file of files) {
    const name = safeFileName(file.name);
    const outcome = await downloadOne(file, options).catch((error: unknown) => `download failed: ${error instanceof Error ? error.message : String(error)}`);
    if (typeof outcome === 'string') failed.push(`${name} (${outcome})`);
    else attachments.push({ filename: name, contentType: outcome.contentType, content: outcome.content });
  }
  return { attachments, failed };
}

/**
 * Whether `url` may be fetched with the bot token: https (or the API's own
 * scheme), on the API host or `files.<API host>`, on the API's port.
 */
export function isSlackFileUrl(url: string, apiUrl: string): boolean {
  let target: URL;
  let api: URL;
  try {
    target = new URL(url);
    api = new URL(apiUrl);
  } catch {
    // An unparsable URL is simply not one of Slack's.
    return false;
  }
  if (target.protocol !== api.protocol || target.port !== api.port || target.username !== '' || target.password !== '') return false;
  return target.hostname === api.hostname || target.hostname === `files.${api.hostname}`;
}

async function downloadOne(file: SlackFile, options: FileDownloadOptions): Promise<{ contentType: string; content: Buffer } | string> {
  if (file.url === undefined) return 'Slack gave no download link';
  if (file.size !== undefined && file.size > options.maxBytes) return overLimit(file.size, options.maxBytes);
  const signal = AbortSignal.timeout(options.timeoutMs ?? 120_000);
  let url = file.url;
  for (let hop = 0; ; hop++) {
    if (!isSlackFileUrl(url, options.apiUrl)) return `not on Slack's file host: ${new URL(url, file.url).host}`;
    const response = await fetch(url, { headers: { authorization: `Bearer ${options.token}` }, redirect: 'manual', signal });
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location !== null && hop < MAX_REDIRECTS) {
      await response.body?.cancel();
      url = new URL(location, url).toString();
      continue;
    }
    if (!response.ok) {
      await response.body?.cancel();
      return `Slack answered HTTP ${response.status}`;
    }
    const contentType = response.headers.get('content-type') ?? file.mimetype ?? 'application/octet-stream';
    // Without files:read Slack answers 200 with its sign-in page instead of the file.
    if (contentType.startsWith('text/html') && file.mimetype !== 'text/html') {
      await response.body?.cancel();
      return 'Slack sent a web page instead of the file; does the app have the files:read scope?';
    }
    const content = await readLimited(response, options.maxBytes);
    return typeof content === 'string' ? content : { contentType, content };
  }
}

async function readLimited(response: Response, maxBytes: number): Promise<Buffer | string> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    return overLimit(declared, maxBytes);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  if (response.body !== null) {
    for await (const chunk of response.body as ReadableStream<Uint8Array>) {
      total += chunk.length;
      // Leaving the loop cancels the rest of the body.
      if (total > maxBytes) return `more than ${maxBytes} bytes, over the limit`;
      chunks.push(Buffer.from(chunk));
    }
  }
  return Buffer.concat(chunks);
}

function overLimit(size: number, maxBytes: number): string {
  return `${size} bytes, over the ${maxBytes}-byte limit`;
}
