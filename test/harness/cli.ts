import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { REPO_ROOT } from './repo-root.js';

/** The built entry point, as a user runs it. */
export const BIN = join(REPO_ROOT, 'bin', 'run.js');

/** A fresh, empty HOME with XDG dirs inside it, removed by `cleanup`. */
export async function tempHome(): Promise<{ home: string; env: { HOME: string; XDG_CONFIG_HOME: string; XDG_STATE_HOME: string; XDG_CACHE_HOME: string; XDG_DATA_HOME: string }; cleanup: () => Promise<void> }> {
  const home = await mkdtemp(join(tmpdir(), 'airut-home-'));
  const env = {
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
  };
  return { home, env, cleanup: () => rm(home, { recursive: true, force: true }) };
}

/** Runs `airut ARGS` to completion with `env` added to a clean environment. */
export function airut(args: string[], env: Record<string, string>, options: { input?: string } = {}) {
  return execa(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    extendEnv: false,
    reject: false,
    input: options.input ?? '',
  });
}

/** Starts `airut ARGS` in the background; the caller stops it. */
export function airutBackground(args: string[], env: Record<string, string>): ResultPromise<{ reject: false; extendEnv: false }> {
  return execa(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    extendEnv: false,
    reject: false,
  });
}

/** Resolves with the first stdout line of `child` that matches `pattern`. */
export function waitForLine(child: ResultPromise, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const match = pattern.exec(line);
        if (match) {
          child.stdout?.off('data', onData);
          resolve(match);
          return;
        }
      }
    };
    child.stdout?.on('data', onData);
    void child.then((result) => reject(new Error(`exited (${String(result.exitCode)}) before printing ${String(pattern)}:\n${String(result.stderr)}`)));
  });
}

/** A background `airut` whose standard output is kept as it comes. */
export interface WatchedAirut {
  child: ResultPromise<{ reject: false; extendEnv: false }>;
  /** Everything printed so far. */
  printed(): string;
  /** The first match of `pattern` in what was printed so far, or in a line printed later. */
  line(pattern: RegExp): Promise<RegExpMatchArray>;
}

/** Starts `airut ARGS` in the background, keeping its output; killed at the end of the test unless it exited. */
export function airutWatched(t: { teardown(fn: () => unknown): void }, args: string[], env: Record<string, string>): WatchedAirut {
  const child = airutBackground(args, env);
  let printed = '';
  child.stdout?.on('data', (chunk: Buffer) => { printed += chunk.toString('utf8'); });
  t.teardown(async () => {
    child.kill('SIGKILL');
    await child;
  });
  return {
    child,
    printed: () => printed,
    line: async (pattern) => pattern.exec(printed) ?? waitForLine(child, pattern),
  };
}
