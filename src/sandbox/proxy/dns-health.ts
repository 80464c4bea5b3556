import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import type { HealthEvent } from '../network/proxy-events.js';

/** How often a serving proxy checks its DNS responder and reports its health on stdout. */
export const HEALTH_INTERVAL_MS = 500;

/**
 * A name only this proxy process knows, for its own health queries: the
 * responder answers it like any name but does not log it (two lines a second
 * would drown the task's own lookups). It is random per process, so a task
 * cannot use it to hide its own queries from the log.
 */
export function healthQueryName(): string {
  return `${randomBytes(8).toString('hex')}.health.airut.invalid`;
}

/** A standard recursive A/IN query for `name` with transaction id `id`. */
export function buildQueryA(name: string, id: number): Buffer {
  const labels = name.split('.').filter((label) => label !== '');
  const parts = [Buffer.from([id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0])];
  for (const label of labels) parts.push(Buffer.from([label.length]), Buffer.from(label, 'ascii'));
  parts.push(Buffer.from([0, 0, 1, 0, 1]));
  return Buffer.concat(parts);
}

/** Where and how {@link probeDns} asks. */
export interface DnsProbeTarget {
  address: string;
  port: number;
  name: string;
  timeoutMs: number;
}

/**
 * Sends one A query to the responder and waits for its answer. Resolves
 * undefined when an answer with the query's id, no error and at least one
 * record came in time, else with what went wrong. Never rejects.
 */
export function probeDns(target: DnsProbeTarget): Promise<string | undefined> {
  return new Promise((resolve) => {
    const id = randomBytes(2).readUInt16BE(0);
    const socket = createSocket('udp4');
    let settled = false;
    const done = (problem: string | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.close();
      resolve(problem);
    };
    const timer = setTimeout(() => done(`no answer from ${target.address}:${target.port}/udp within ${target.timeoutMs} ms`), target.timeoutMs);
    socket.on('error', (error) => done(`query to ${target.address}:${target.port}/udp failed: ${error.message}`));
    socket.on('message', (reply) => {
      // A stray datagram is not the answer; keep waiting for it.
      if (reply.length < 12 || reply.readUInt16BE(0) !== id) return;
      const flags = reply.readUInt16BE(2);
      const rcode = flags & 0x0f;
      if ((flags & 0x8000) === 0 || rcode !== 0 || reply.readUInt16BE(6) < 1) {
        done(`answer from ${target.address}:${target.port}/udp without a record (rcode ${rcode})`);
        return;
      }
      done(undefined);
    });
    socket.send(buildQueryA(target.name, id), target.port, target.address, (error) => {
      if (error) done(`query to ${target.address}:${target.port}/udp failed: ${error.message}`);
    });
  });
}

/** A running series of health reports. */
export interface HealthReports {
  stop(): void;
}

/**
 * Reports the proxy's health every `intervalMs`: probes the DNS responder and
 * emits a `health` event with the result. The host treats a missing report
 * (a frozen or stuck process) like a failed probe, so the reports are the
 * heartbeat as well. Probes never overlap: the next one is scheduled when the
 * previous one has ended.
 */
export function startHealthReports(target: Omit<DnsProbeTarget, 'timeoutMs'>, intervalMs: number, emit: (event: HealthEvent) => void): HealthReports {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const round = (): void => {
    void probeDns({ ...target, timeoutMs: Math.max(100, Math.floor(intervalMs * 0.8)) }).then((problem) => {
      if (stopped) return;
      emit({ event: 'health', dns: problem === undefined ? 'ok' : problem });
      timer = setTimeout(round, intervalMs);
    });
  };
  round();
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
