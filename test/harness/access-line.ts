/** The byte counts the proxy appends to an access line when anything moved: `[up: N]` and `[down: N]`. */
const BYTE_COUNTS = String.raw`(?: \[up: \d+\])?(?: \[down: \d+\])?`;

/**
 * A pattern matching one whole line of `network-sandbox.log` (multi-line):
 * `head` from the start of the line, then the proxy's optional byte counts,
 * then the end of the line. Anchoring at the end keeps an unexpected
 * annotation from passing unnoticed.
 */
export function accessLine(head: RegExp): RegExp {
  return new RegExp(`^${head.source}${BYTE_COUNTS}$`, 'm');
}
