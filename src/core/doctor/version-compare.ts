/**
 * Pulls a dotted version out of a tool's `--version` output: the first token
 * that starts with a digit, each segment cut at its first non-digit
 * (`podman version 4.3.1` -> `4.3.1`, `Docker version 24.0.5, build x` ->
 * `24.0.5`, `1.2.3-rc1` -> `1.2.3`). `null` when there is none.
 */
export function parseVersion(output: string): string | null {
  const token = output.split(/\s+/).find((word) => /^\d/.test(word));
  if (token === undefined) return null;
  const segments: string[] = [];
  for (const segment of token.split('.')) {
    const digits = /^\d+/.exec(segment)?.[0];
    if (digits === undefined) break;
    segments.push(digits);
    if (digits !== segment) break;
  }
  return segments.join('.');
}

/** Compares dotted numeric versions; missing segments count as 0. */
export function compareVersions(a: string, b: string): number {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let index = 0; index < Math.max(left.length, right.length); index++) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return Math.sign(difference);
  }
  return 0;
}
