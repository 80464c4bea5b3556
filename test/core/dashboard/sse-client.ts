import { request, type IncomingMessage } from 'node:http';

/** A raw event-stream reader: keeps everything received and resolves waits as text arrives. */
export interface SseReader {
  response: IncomingMessage;
  text(): string;
  /** Resolves once the received text matches `pattern`. */
  waitFor(pattern: RegExp): Promise<string>;
  close(): void;
}

/** Opens `url` as an event stream with extra request headers. */
export function openStream(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { Accept: 'text/event-stream', ...headers } }, (response) => {
      let received = '';
      const waiters: { pattern: RegExp; resolve: (text: string) => void }[] = [];
      const check = (): void => {
        for (const waiter of [...waiters]) {
          if (waiter.pattern.test(received)) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve(received);
          }
        }
      };
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        received += chunk;
        check();
      });
      response.on('error', () => undefined);
      resolve({
        response,
        text: () => received,
        waitFor: (pattern) => new Promise((resolveWait) => {
          waiters.push({ pattern, resolve: resolveWait });
          check();
        }),
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}
