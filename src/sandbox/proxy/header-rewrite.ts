import type { Transform } from 'node:stream';

/**
 * What credential handling did to one request's headers (MSK-04..07,
 * GHA-03..05). Counts feed the access line annotations; names feed the
 * STRIPPED and COLLAPSED lines.
 */
export interface HeaderRewrite {
  /** The headers to send upstream, in Node's flat raw form (name, value, ...). */
  rawHeaders: string[];
  /** (secret, header) pairs whose surrogate was replaced: `[masked: N]`. */
  masked: number;
  /** Lower-case names of foreign credential headers removed: one STRIPPED line each, `[dropped: N]`. */
  stripped: readonly string[];
  /** Headers whose duplicates were collapsed after a replacement, with how many entries there were. */
  collapsed: readonly { name: string; entries: number }[];
  /**
   * Names of the credentials filled in (masked secret names, GitHub App
   * names, AWS signing credential names), never their values: the receipt's
   * "credentials used".
   */
  credentials?: readonly string[];
  /** Extra access-line tags, e.g. `github-app: refreshed`. */
  tags?: readonly string[];
  /**
   * The request target to send upstream instead of the client's (a
   * presigned AWS URL re-signed in its query). The access line keeps the
   * client's: this one holds real credentials.
   */
  target?: string;
  /** A transform the body streams through on its way upstream (chunk signatures re-signed). */
  transformBody?: () => Transform;
  /** The region of a re-signed AWS request: `[region: R]`. */
  region?: string;
  /** Lines for the network log's WARNING kind (an AWS client's clock far off, say). */
  warnings?: readonly string[];
  /**
   * Set when the rewrite can only be done with the request body (an AWS
   * request that signs its body without `x-amz-content-sha256`): the proxy
   * reads the body and calls the rewriter again with it. Nothing else in
   * this result counts then.
   */
  needsBody?: boolean;
  /**
   * Set when the request must not go upstream at all (a GitHub App token
   * could not be minted): the proxy answers with this instead, and logs `detail`.
   */
  refusal?: { status: number; error: string; message: string; detail: string };
}

/** The rest of the request, for rewrites that sign it. */
export interface RewriteRequest {
  readonly method: string;
  /** The request target as on the wire: path and optional `?query`. */
  readonly target: string;
  /** The whole body, once read (only after a rewrite asked for it with `needsBody`). */
  readonly body?: Buffer;
}

/**
 * Rewrites the request headers bound for `host` (already lower-case,
 * port-less). Synchronous for masked secrets; a promise when a token has to
 * be minted first.
 */
export type RewriteHeaders = (host: string, rawHeaders: string[], request?: RewriteRequest) => HeaderRewrite | Promise<HeaderRewrite>;

/** For a task without masked secrets: headers pass unchanged. */
export const keepHeaders: RewriteHeaders = (_host, rawHeaders) => ({ rawHeaders, masked: 0, stripped: [], collapsed: [] });
