/**
 * What masked-secret handling did to one request's headers (MSK-04..07).
 * Counts feed the access line annotations; names feed the STRIPPED and
 * COLLAPSED lines.
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
}

/** Rewrites the request headers bound for `host` (already lower-case, port-less). */
export type RewriteHeaders = (host: string, rawHeaders: string[]) => HeaderRewrite;

/** For a task without masked secrets: headers pass unchanged. */
export const keepHeaders: RewriteHeaders = (_host, rawHeaders) => ({ rawHeaders, masked: 0, stripped: [], collapsed: [] });
