import { open, type FileHandle } from 'node:fs/promises';

/**
 * Appends the proxy's log lines to a task's `network-sandbox.log` on the
 * host, one write per line, in the order the proxy printed them. The proxy
 * itself has no access to the task's directory: a proxy is prepared before
 * its task exists, so its lines arrive as `log` events on stdout.
 */
export class NetworkLogWriter {
  private chain: Promise<void> = Promise.resolve();
  private closed: Promise<void> | undefined;

  private constructor(private readonly file: FileHandle) {}

  /** Opens (creating) `path` for appending. */
  static async open(path: string): Promise<NetworkLogWriter> {
    return new NetworkLogWriter(await open(path, 'a', 0o644));
  }

  /**
   * Queues one line. The proxy already made it printable; a line break is
   * still replaced, so one event can never become two lines.
   */
  write(line: string): void {
    if (this.closed !== undefined) return;
    const text = `${line.replace(/[\r\n]/g, ' ')}\n`;
    // A failed write (a full disk) loses the line in the file only; the live tail still carries it.
    this.chain = this.chain.then(() => this.file.write(text)).then(() => undefined, () => undefined);
  }

  /** Writes what is queued and closes the file. Safe to call twice. */
  close(): Promise<void> {
    this.closed ??= this.chain.then(() => this.file.close());
    return this.closed;
  }
}
