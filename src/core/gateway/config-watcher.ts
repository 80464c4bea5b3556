import { createHash } from 'node:crypto';
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, relative, resolve, sep } from 'node:path';

/** Options of {@link watchConfigFile}. */
export interface ConfigWatcherOptions {
  /** The config file. Its directory need not exist yet. */
  path: string;
  /** SHA-256 (hex) of the content the caller has loaded; `''` when there was no file. */
  knownHash: string;
  /** Called once per burst of writes that leaves the file with new content. */
  onChange: (hash: string) => void | Promise<void>;
  /** Called when a burst ended with the content already seen, or with the file gone (neither reloads). */
  onUnchanged?: () => void;
  /** Told about a file or watch error; watching goes on. */
  onError?: (error: Error) => void;
  /** Quiet time that ends a burst of events. Default 100 ms. */
  debounceMs?: number;
}

/** A running watch on a config file. */
export interface ConfigWatcher {
  /** The directory watched now: the file's own, or its nearest existing ancestor while that is missing. */
  readonly watching: string;
  /** Settles when the first look at the file is over: a save made between the caller's load and the watch has been handled by then. */
  readonly ready: Promise<void>;
  /** Stops watching; a pending check is dropped. */
  close(): void;
}

/**
 * Watches a config file through its directory, so that every way of saving
 * is seen: a write in place, a temporary file renamed over it (editors and
 * the dashboard's editor), and a file that only appears after start. Events
 * for other names in the directory are ignored; a burst of events is
 * coalesced, and `onChange` runs only when the bytes differ from the last
 * content seen (a deleted file keeps the last content: nothing happens).
 *
 * While the directory does not exist, its nearest existing ancestor is
 * watched for the next path component; each time a component appears the
 * watch moves one level closer, until it is on the file's own directory.
 * When the watched directory is removed, the watch falls back the same way.
 */
export function watchConfigFile(options: ConfigWatcherOptions): ConfigWatcher {
  const file = resolve(options.path);
  const fileDir = dirname(file);
  const name = basename(file);
  const debounceMs = options.debounceMs ?? 100;
  let lastHash = options.knownHash;
  let watcher: FSWatcher | undefined;
  let watching = fileDir;
  let timer: NodeJS.Timeout | undefined;
  let checking: Promise<void> | undefined;
  let again = false;
  let closed = false;

  const report = (error: unknown): void => {
    options.onError?.(error instanceof Error ? error : new Error(String(error)));
  };

  const check = async (): Promise<void> => {
    if (!existsSync(watching) || (watching !== fileDir && existsSync(nextComponent(watching, fileDir)))) arm();
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') report(error);
      else options.onUnchanged?.();
      return;
    }
    const hash = createHash('sha256').update(bytes).digest('hex');
    if (closed) return;
    if (hash === lastHash) {
      options.onUnchanged?.();
      return;
    }
    lastHash = hash;
    try {
      await options.onChange(hash);
    } catch (error) {
      report(error);
    }
  };

  /** Runs `check`, never two at once; a request during one runs another after it. */
  const runCheck = (): void => {
    if (checking !== undefined) {
      again = true;
      return;
    }
    checking = check().finally(() => {
      checking = undefined;
      if (again && !closed) {
        again = false;
        runCheck();
      }
    });
  };

  const schedule = (): void => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(runCheck, debounceMs);
  };

  /** Watches the deepest existing directory on the way to the file's. */
  function arm(): void {
    for (;;) {
      watcher?.close();
      watcher = undefined;
      const dir = nearestExisting(fileDir);
      const wanted = dir === fileDir ? name : basename(nextComponent(dir, fileDir));
      try {
        watcher = watch(dir, { persistent: true }, (_event, filename) => {
          if (filename === null || filename === wanted) {
            if (dir !== fileDir) arm();
            schedule();
          } else if (!existsSync(dir)) {
            arm();
          }
        });
      } catch (error) {
        report(error);
        return;
      }
      watcher.on('error', (error) => {
        report(error);
        if (!closed) arm();
      });
      watching = dir;
      // A directory created between the look-up and the watch would be missed.
      if (dir === fileDir || !existsSync(nextComponent(dir, fileDir))) return;
    }
  }

  arm();
  // Catches a save that happened between the caller's load and this watch.
  runCheck();
  const ready = (checking ?? Promise.resolve()).then(() => undefined, () => undefined);
  return {
    ready,
    get watching() {
      return watching;
    },
    close() {
      closed = true;
      clearTimeout(timer);
      watcher?.close();
      watcher = undefined;
    },
  };
}

function nearestExisting(dir: string): string {
  let current = dir;
  while (!existsSync(current)) {
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return current;
}

/** The child of `ancestor` on the way to `target`. */
function nextComponent(ancestor: string, target: string): string {
  const [first] = relative(ancestor, target).split(sep);
  return resolve(ancestor, first ?? '');
}
