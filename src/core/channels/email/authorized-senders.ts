/**
 * The per-repo sender allowlist: exact addresses and `*@domain` entries.
 * `*@example.com` matches `a@example.com` but not `a@sub.example.com`.
 */

/** The allowlist entry that admits `address`, or undefined. Both sides compare case-insensitively. */
export function matchAuthorizedSender(address: string, allowlist: readonly string[]): string | undefined {
  const wanted = address.toLowerCase();
  for (const entry of allowlist) {
    const rule = entry.trim().toLowerCase();
    if (rule.startsWith('*@')) {
      const domain = rule.slice(1);
      const at = wanted.lastIndexOf('@');
      if (at >= 0 && wanted.slice(at) === domain) return entry;
    } else if (rule === wanted) {
      return entry;
    }
  }
  return undefined;
}
