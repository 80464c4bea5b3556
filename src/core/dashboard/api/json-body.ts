import type { IncomingMessage } from 'node:http';

/** A request body that cannot be read as the route's JSON; its message says why, for a 400. */
export class BadBody extends Error {}

/**
 * Reads a request body of at most `maxBytes` as JSON and returns its fields
 * (an empty record for JSON that is not an object).
 * @throws BadBody when the body is larger or not JSON
 */
export async function readJsonFields(req: IncomingMessage, maxBytes: number): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new BadBody(`the request body is larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw new BadBody(`the request body is not JSON: ${(error as Error).message}`);
  }
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? body as Record<string, unknown> : {};
}

/** {@link readJsonFields}, with a refused body's reason returned instead of thrown (for a 400). */
export async function jsonFieldsOrReason(req: IncomingMessage, maxBytes: number): Promise<Record<string, unknown> | string> {
  try {
    return await readJsonFields(req, maxBytes);
  } catch (error) {
    if (error instanceof BadBody) return error.message;
    throw error;
  }
}
