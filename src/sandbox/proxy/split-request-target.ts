/** The parts of an absolute-form request target (`GET http://host/path HTTP/1.1`). */
export interface AbsoluteTarget {
  /** The authority as written (host with optional port; userinfo is refused). */
  authority: string;
  /** Path plus query, `/` when absent. */
  path: string;
}

const ABSOLUTE = /^https?:\/\/([^/?#]*)([^#]*)/i;

/**
 * Splits a request target into what is matched: origin form (`/path?q`) is
 * returned as the path; absolute form yields its authority and path, so the
 * caller can compare the authority with the host it trusts. Anything else
 * (asterisk form, authority form outside CONNECT, a userinfo `@`, a fragment)
 * is undefined: the request is refused.
 */
export function splitRequestTarget(target: string): { path: string; authority?: string } | undefined {
  if (target.startsWith('/')) return target.includes('#') ? undefined : { path: target };
  const match = ABSOLUTE.exec(target);
  if (match === null || target.includes('#')) return undefined;
  const authority = match[1] as string;
  if (authority === '' || authority.includes('@')) return undefined;
  const rest = match[2] as string;
  return { authority, path: rest === '' ? '/' : rest.startsWith('/') ? rest : `/${rest}` };
}
