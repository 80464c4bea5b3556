import type { IncomingMessage } from 'node:http';
import type { BodyFilter, FilterBlock, FilterRequest, FilterResult } from './body-filter.js';
import { BodyTooLargeError, contentCodings, decodeBody, readBodyCapped, type BodyBudget } from './read-body.js';

/** Longest tag text kept in a log annotation; request-controlled names could otherwise fill the log. */
const MAX_TAG_LENGTH = 1000;

/** What the pipeline decided for one request (RBF-01). */
export type PipelineOutcome =
  | {
    readonly action: 'forward';
    /** The body to send upstream: the original bytes, or the rewritten (decoded) body. */
    readonly body: Buffer;
    /** True when a filter rewrote the body: it is then sent without its Content-Encoding. */
    readonly rewritten: boolean;
    /** `name: tag` annotations in filter order. */
    readonly tags: readonly string[];
  }
  | {
    readonly action: 'block';
    /** 403 for a verdict on the body; 503 when the proxy had no memory left to read it. */
    readonly status: 403 | 503;
    readonly block: FilterBlock;
    readonly tags: readonly string[];
    /** True when the body was not read to its end: the connection must be closed after the answer. */
    readonly unread: boolean;
  };

/** The filters (in registration order) that must see this request's body. */
export function applicableFilters(filters: readonly BodyFilter[], request: FilterRequest): BodyFilter[] {
  return filters.filter((filter) => filter.applies(request));
}

/**
 * Reads the body of a request that `filters` (non-empty, all applicable)
 * must see, decodes it, and runs the filters in order, each on the body the
 * ones before it left. Fail closed (RBF-02): a body over every cap, a
 * `Content-Encoding` that cannot be decoded, a corrupt body or any exception
 * in a filter ends in a block; nothing is ever forwarded unread.
 *
 * @param rawHeaders the headers that will be forwarded (their Content-Encoding is what the upstream will decode)
 * @throws only when the client goes away mid-body (there is no one left to answer)
 */
export async function runBodyPipeline(req: IncomingMessage, rawHeaders: readonly string[], filters: readonly BodyFilter[], request: FilterRequest, budget: BodyBudget): Promise<PipelineOutcome> {
  const first = filters[0] as BodyFilter;
  const limit = Math.max(...filters.map((f) => f.maxBodyBytes));
  const raw = await readBodyCapped(req, limit, budget);
  if (raw === 'busy') {
    return {
      action: 'block',
      status: 503,
      tags: [`${first.name}: <busy>`],
      unread: true,
      block: {
        error: 'proxy_busy',
        message: `The airut network proxy already holds ${budget.limit / (1024 * 1024)} MiB of request bodies it must inspect; it refused this one rather than forward it unread. Retry when fewer large requests are in flight.`,
        detail: '<busy>',
      },
    };
  }
  try {
    return await judge(raw, rawHeaders, filters, request, limit);
  } finally {
    budget.release(typeof raw === 'string' ? 0 : raw.length);
  }
}

async function judge(raw: Buffer | 'too-large', rawHeaders: readonly string[], filters: readonly BodyFilter[], request: FilterRequest, limit: number): Promise<PipelineOutcome> {
  const tags: string[] = [];
  const first = filters[0] as BodyFilter;
  if (raw === 'too-large') {
    // Over every filter's cap: the first filter whose cap is exceeded (all are) answers.
    const result = first.tooLarge();
    addTag(tags, first.name, result.tag);
    return { action: 'block', status: 403, block: blockOf(result), tags, unread: true };
  }

  let body: Buffer;
  const codings = contentCodings(rawHeaders);
  try {
    body = codings.length === 0 ? raw : decodeBody(raw, codings, limit);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      const result = first.tooLarge();
      addTag(tags, first.name, result.tag);
      return { action: 'block', status: 403, block: blockOf(result), tags, unread: false };
    }
    return failClosed(tags, first, error);
  }

  let rewritten = false;
  for (const filter of filters) {
    let result: FilterResult;
    try {
      result = body.length > filter.maxBodyBytes ? filter.tooLarge() : await filter.apply(request, body);
    } catch (error) {
      return failClosed(tags, filter, error);
    }
    addTag(tags, filter.name, result.tag);
    if (result.action === 'block') return { action: 'block', status: 403, block: result.block, tags, unread: false };
    if (result.action === 'rewrite') {
      body = result.body;
      rewritten = true;
    }
  }
  return { action: 'forward', body: rewritten ? body : raw, rewritten, tags };
}

function failClosed(tags: string[], filter: BodyFilter, error: unknown): PipelineOutcome {
  const type = error instanceof Error ? error.name : typeof error;
  addTag(tags, filter.name, `<error: ${type}>`);
  const why = error instanceof Error ? ` (${error.message.slice(0, 200)})` : '';
  return {
    action: 'block',
    status: 403,
    tags,
    unread: false,
    block: {
      error: 'filter_error',
      message: `The airut network proxy could not inspect this request body and rejected it${why}. Send it uncompressed (or gzip, deflate or br) as valid JSON.`,
      detail: `<${filter.name}: ${type}>`,
    },
  };
}

function blockOf(result: FilterResult): FilterBlock {
  if (result.action !== 'block') throw new Error('a filter\'s tooLarge() must block');
  return result.block;
}

function addTag(tags: string[], name: string, tag: string | undefined): void {
  if (tag === undefined || tag === '') return;
  tags.push(`${name}: ${tag.length > MAX_TAG_LENGTH ? `${tag.slice(0, MAX_TAG_LENGTH)}… (truncated)` : tag}`);
}
