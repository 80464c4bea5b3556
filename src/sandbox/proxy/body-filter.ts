import type { AllowlistRule } from '../network/allowlist/allowlist.js';

/** What a body filter knows about a request besides its body (RBF-01). */
export interface FilterRequest {
  /** Upper-case method. */
  readonly method: string;
  /** Lower-case host without port (from SNI or Host). */
  readonly host: string;
  /** Path plus query, percent-decoded once: what the allowlist matched and the server resolves. */
  readonly path: string;
  /** The allowlist entry that allowed the request. */
  readonly matched: AllowlistRule | undefined;
  /** The headers as they will be forwarded, before credential handling (Node's flat raw form). */
  readonly rawHeaders: readonly string[];
}

/** A block: the 403 body's `error`, `message` and `detail`. */
export interface FilterBlock {
  readonly error: string;
  readonly message: string;
  readonly detail: string;
}

/** What a filter decided; `tag` (any action) becomes the `[name: tag]` log annotation. */
export type FilterResult =
  | { readonly action: 'pass'; readonly tag?: string }
  | { readonly action: 'rewrite'; readonly body: Buffer; readonly tag?: string }
  | { readonly action: 'block'; readonly block: FilterBlock; readonly tag?: string };

/**
 * A check of request bodies of one kind of request. Filters only decide;
 * the pipeline reads the body, applies their results and answers.
 */
export interface BodyFilter {
  /** Log namespace: tags are written `[name: tag]`. */
  readonly name: string;
  /** Largest body (after decoding) the filter parses; a bigger one gets {@link BodyFilter.tooLarge}. */
  readonly maxBodyBytes: number;
  /** True when the filter must see this request's body. Cheap: runs before anything is read. */
  applies(request: FilterRequest): boolean;
  /** Judges `body` (as rewritten by earlier filters; empty when the request has none). May throw: the pipeline then blocks. */
  apply(request: FilterRequest, body: Buffer): FilterResult | Promise<FilterResult>;
  /** The result for a body over {@link BodyFilter.maxBodyBytes}. */
  tooLarge(): FilterResult;
}
