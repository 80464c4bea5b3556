import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from './json-response.js';
import { readBodyCapped } from './read-body.js';
import type { Exchange, RequestContext } from './request-handler.js';

/**
 * Largest body read so a credential rewrite can sign it (AWS requests
 * without `x-amz-content-sha256`: STS, DynamoDB, Bedrock... whose bodies are
 * far smaller; S3 uploads always carry the header and stream).
 */
export const MAX_REWRITE_BODY_BYTES = 32 * 1024 * 1024;

/** A body read for a rewrite, and the forwarded headers that frame it. */
export interface RewriteBody {
  readonly body: Buffer;
  /** `rawHeaders` with a Content-Length when the client framed the body otherwise (chunked). */
  headers(rawHeaders: readonly string[]): string[];
}

/**
 * Reads a whole request body for a rewrite that must see it, within the
 * proxy's shared body budget (held until the response is done). Answers
 * the client itself and resolves undefined when the body is over
 * {@link MAX_REWRITE_BODY_BYTES} (413) or the budget is spent (503): a body
 * partly read can no longer be forwarded.
 *
 * @throws when the client goes away mid-body
 */
export async function readBodyForRewrite(ctx: RequestContext, req: IncomingMessage, res: ServerResponse, ex: Exchange): Promise<RewriteBody | undefined> {
  if (ex.expectContinue) res.writeContinue();
  const read = await readBodyCapped(req, MAX_REWRITE_BODY_BYTES, ctx.bodyBudget);
  if (read === 'too-large' || read === 'busy') {
    const tooLarge = read === 'too-large';
    sendJson(res, tooLarge ? 413 : 503, {
      error: tooLarge ? 'body_too_large_to_sign' : 'proxy_busy', host: ex.host, path: ex.path, method: ex.method,
      message: tooLarge
        ? `The request is signed over its body without an x-amz-content-sha256 header, so the proxy must read the body to re-sign it, and it is over ${MAX_REWRITE_BODY_BYTES / (1024 * 1024)} MiB. Send x-amz-content-sha256 (or UNSIGNED-PAYLOAD) with large bodies.`
        : 'The airut network proxy holds as many request bodies as it can; retry when fewer large requests are in flight.',
    }, true);
    return undefined;
  }
  res.once('close', () => ctx.bodyBudget.release(read.length));
  return {
    body: read,
    headers: (rawHeaders) => {
      const framed = rawHeaders.some((name, i) => i % 2 === 0 && name.toLowerCase() === 'content-length');
      return framed || read.length === 0 ? [...rawHeaders] : [...rawHeaders, 'content-length', String(read.length)];
    },
  };
}
