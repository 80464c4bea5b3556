/**
 * What the crash tests share: a gateway world whose mail goes through a relay
 * in the test process (so the test can kill the service around a delivery),
 * with a git stand-in on PATH that can hold a workspace clone, and helpers to
 * count what each mail produced. No hook in the product is involved.
 */
import { execa } from 'execa';
import { signalChild } from '../harness/signal-child.js';
import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ParsedMail } from 'mailparser';
import type { Test } from 'tap';
import type { StoredMail } from '../harness/mail/mail-provider.js';
import { ALICE, GATEWAY, startGatewayWorld, type GatewayWorld } from './gateway-world.js';

const ACK = /I've started working on this/;
/** How long one answer may take on a busy machine (a restart, an image check, a run). */
const ANSWER_MS = 300_000;

/**
 * git for the service: the real one, except a workspace clone while `block`
 * exists. `hang`: leaves a half clone (a bare .git) and waits to be killed.
 * `orphan`: waits until the service is gone, then clones for real (a git
 * child that outlives the service, as when only the service is killed).
 */
export async function fakeGit(dir: string): Promise<void> {
  const real = (await execa('sh', ['-c', 'command -v git'])).stdout.trim();
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'git'), `#!/bin/sh
dir=$(dirname "$0")
case " $* " in
  *" --no-checkout "*)
    if [ -e "$dir/block" ]; then
      for last; do :; done
      parent=$PPID
      # Written whole, then renamed: a reader never sees an empty pid file.
      echo $$ >"$dir/git.pid.tmp" && mv "$dir/git.pid.tmp" "$dir/git.pid"
      if [ "$(cat "$dir/block")" = hang ]; then
        mkdir -p "$last/.git"
        exec sleep 600
      fi
      while kill -0 "$parent" 2>/dev/null; do sleep 0.05; done
      ${real} "$@"
      touch "$dir/orphan-done"
      exit 0
    fi ;;
esac
exec ${real} "$@"
`);
  await chmod(join(dir, 'git'), 0o755);
}

/** The conversation id in a reply's subject tag. */
export const idOf = (mail: StoredMail | undefined): string => /\[ID:([0-9a-f]{8})\]/.exec(mail?.parsed.subject ?? '')?.[1] ?? '';

/** A world for crash tests and what they do with it. */
export interface CrashWorld {
  world: GatewayWorld;
  /** Directory of the git stand-in (write `block` there to hold the next workspace clone). */
  bin: string;
  /** Alice's mails whose subject holds `tag`, split into acknowledgements and answers. */
  mailsOf(tag: string): Promise<{ acks: StoredMail[]; answers: StoredMail[] }>;
  /** Resolves once `count` answers (not acknowledgements) with `tag` reached Alice. */
  waitAnswers(tag: string, count: number): Promise<StoredMail[]>;
  /** Claude runs in a conversation (the fake claude keeps every run's prompt). */
  runsOf(id: string): Promise<number>;
  /** SIGKILLs the service and waits until it is gone. */
  kill(): Promise<void>;
  /** SIGKILLs the service from the relay at `phase` of the first mail `which` matches; `drop` keeps that mail from being delivered. */
  killAt(phase: 'received' | 'accepted', which: (mail: ParsedMail) => boolean, drop?: boolean): Promise<void>;
  isAck(tag: string): (mail: ParsedMail) => boolean;
  isAnswer(tag: string): (mail: ParsedMail) => boolean;
  /** Alice sends a mail with subject `tag`. */
  send(tag: string): Promise<void>;
  /** Resolves once the gateway's inbox is empty. */
  inboxEmpty(): Promise<StoredMail[]>;
}

/** Starts a crash-test world for `t` (fake claude scenario `success`). */
export async function startCrashWorld(t: Test): Promise<CrashWorld> {
  const bin = join(t.testdir(), 'bin');
  await fakeGit(bin);
  const world = await startGatewayWorld(t, { scenario: 'success', relay: true, pathPrefix: [bin] });
  const isAck = (tag: string) => (mail: ParsedMail) => (mail.subject ?? '').includes(tag) && ACK.test(mail.text ?? '');
  const isAnswer = (tag: string) => (mail: ParsedMail) => (mail.subject ?? '').includes(tag) && !ACK.test(mail.text ?? '');
  return {
    world,
    bin,
    isAck,
    isAnswer,
    mailsOf: async (tag) => {
      const all = await world.provider.list(ALICE.address);
      return { acks: all.filter((m) => isAck(tag)(m.parsed)), answers: all.filter((m) => isAnswer(tag)(m.parsed)) };
    },
    waitAnswers: (tag, count) => world.provider.waitFor(ALICE.address, (m) => m.filter((x) => isAnswer(tag)(x.parsed)).length >= count, ANSWER_MS),
    runsOf: async (id) => (await readdir(join(world.conversationDir(id), 'claude', 'fake', 'runs')).catch(() => [])).length,
    kill: async () => {
      signalChild(world.child, 'SIGKILL');
      await world.child;
    },
    killAt: (phase, which, drop = false) => new Promise<void>((resolve) => {
      world.smtpHook = (p, mail) => {
        if (p !== phase || !which(mail)) return undefined;
        world.smtpHook = undefined;
        signalChild(world.child, 'SIGKILL');
        resolve();
        return drop ? 'drop' : undefined;
      };
    }),
    send: (tag) => world.provider.send(ALICE, { from: ALICE.address, to: GATEWAY.address, subject: tag, text: 'Do the thing.' }),
    inboxEmpty: () => world.provider.waitFor(GATEWAY.address, (m) => m.length === 0, ANSWER_MS),
  };
}
