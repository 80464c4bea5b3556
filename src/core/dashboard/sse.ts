/** One Server-Sent Events message. */
export interface SseMessage {
  id?: string;
  event?: string;
  data: string;
}

/**
 * Frames one SSE message. Every line of `data` gets its own `data:` field so a
 * newline in the payload cannot end the message early or inject a field; CR
 * and CRLF count as line ends, as the SSE parser treats them.
 */
export function formatSseMessage(message: SseMessage): string {
  let out = '';
  if (message.id !== undefined) out += `id: ${singleLine(message.id)}\n`;
  if (message.event !== undefined) out += `event: ${singleLine(message.event)}\n`;
  for (const line of message.data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return `${out}\n`;
}

/** A comment line, which clients ignore: keeps idle connections and proxies alive. */
export function formatSseComment(text: string): string {
  return `: ${singleLine(text)}\n\n`;
}

function singleLine(value: string): string {
  return value.replace(/[\r\n]/g, ' ');
}
