// Gateway benchmark: new-conversation emails through a real `airut serve`
// (Dovecot with IMAP IDLE, the SMTP front, podman with the network sandbox)
// with the fake claude answering at once. One mail at a time, so each figure
// is one message's path and not a queue: from the mail landing in the
// gateway's inbox to the answer landing in the user's mailbox, and the part
// of that which is not the task container's own run (podman's start and died
// events). Needs `npm run provision` and `npm run build`.
import { execa } from 'execa';
import { loadavg } from 'node:os';

const MAILS = Number(process.env.AIRUT_BENCH_MAILS ?? 50);
const TARGET_OVERHEAD_MS = 1500;

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

const summary = (values) => ({ medianMs: Math.round(percentile(values, 50)), p95Ms: Math.round(percentile(values, 95)) });

/** Epoch ms of podman's nanosecond event time. */
function eventMs(time) {
  const match = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (match === null) throw new Error(`unexpected podman event time ${time}`);
  return Date.parse(`${match[1]}${match[3]}`) + Number(`0.${match[2] ?? '0'}`) * 1000;
}

/** The log lines of `printed` whose message is `message`, as [epoch ms, line]. */
function logTimes(printed, message) {
  const found = [];
  for (const line of printed.split('\n')) {
    const match = /^(\S+Z) +[A-Z]+ +(.*)$/.exec(line);
    if (match !== null && match[2].startsWith(message)) found.push([Date.parse(match[1]), line]);
  }
  return found;
}

/** Runs the gateway suite and returns its figures. */
export async function run() {
  // The whole-product world and the mail provider are TypeScript test harness modules.
  await import('@tapjs/typescript/import');
  const { startGatewayWorld, ALICE, GATEWAY } = await import('../test/e2e/gateway-world.ts');
  const { testContainersConf } = await import('../test/harness/podman.ts');
  const { OWNER_LABEL } = await import('../dist/sandbox/runtime/index.js');

  const teardowns = [];
  const scope = { teardown: (fn) => { teardowns.push(fn); } };
  try {
    const world = await startGatewayWorld(scope, { scenario: 'success', maxConcurrent: 2 });
    const events = [];
    const watcher = execa('podman', [
      'events', '--format', 'json', '--since', new Date(Date.now() - 1000).toISOString(),
      '--filter', `label=${OWNER_LABEL}=${world.child.pid}`,
      '--filter', 'event=start', '--filter', 'event=died',
    ], { env: { CONTAINERS_CONF: testContainersConf() }, reject: false, buffer: false });
    teardowns.push(async () => { watcher.kill(); await watcher; });
    let pending = '';
    watcher.stdout.on('data', (chunk) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '') events.push(JSON.parse(line));
    });

    const { provider } = world;
    const alice = ALICE.address.toLowerCase();
    const gateway = GATEWAY.address.toLowerCase();
    const samples = [];
    // One warm-up mail: the first task builds the repo's image and clones the mirror.
    for (let i = 0; i <= MAILS; i += 1) {
      const messageId = `<bench-${i}@corp.test>`;
      await provider.send(ALICE, { from: ALICE.address, to: GATEWAY.address, subject: `Bench ${i}`, text: `Answer ${i}.`, messageId });
      const delivered = await provider.waitForDelivery((d) => d.rcpt === gateway && d.messageId === messageId);
      // The acknowledgement comes first; the answer is the second mail in the thread.
      const answers = () => provider.deliveries.filter((d) => d.rcpt === alice && d.inReplyTo === messageId);
      await provider.waitForDelivery((d) => d.rcpt === alice && d.inReplyTo === messageId && answers().length >= 2, 300_000);
      const answer = answers()[1];
      if (i > 0) samples.push({ messageId, deliveredAt: delivered.at, answeredAt: answer.at });
    }
    await world.lines(/task finished /, MAILS + 1);

    // Every task container of the run, in start order; the first is the warm-up's.
    const isTask = (e) => !e.Name.includes('-proxy-');
    const deadline = Date.now() + 30_000;
    while (events.filter((e) => isTask(e) && e.Status === 'died').length < MAILS + 1 && Date.now() < deadline) {
      await new Promise((resolve) => { setTimeout(resolve, 100); });
    }
    const starts = events.filter((e) => isTask(e) && e.Status === 'start');
    const died = new Map(events.filter((e) => isTask(e) && e.Status === 'died').map((e) => [e.ID, eventMs(e.Time)]));
    const printed = world.output();
    const accepted = logTimes(printed, 'mail accepted');
    const taskStarted = logTimes(printed, 'task started');

    const total = [];
    const container = [];
    const overhead = [];
    const pickup = [];
    const toTaskStart = [];
    const sandboxSetup = [];
    const afterContainer = [];
    samples.forEach((sample, index) => {
      const start = starts[index + 1];
      const startMs = start === undefined ? NaN : eventMs(start.Time);
      const diedMs = start === undefined ? NaN : died.get(start.ID) ?? NaN;
      const acceptedMs = accepted[index + 1]?.[0] ?? NaN;
      const taskStartMs = taskStarted[index + 1]?.[0] ?? NaN;
      total.push(sample.answeredAt - sample.deliveredAt);
      container.push(diedMs - startMs);
      overhead.push(sample.answeredAt - sample.deliveredAt - (diedMs - startMs));
      pickup.push(acceptedMs - sample.deliveredAt);
      toTaskStart.push(taskStartMs - acceptedMs);
      sandboxSetup.push(startMs - taskStartMs);
      afterContainer.push(sample.answeredAt - diedMs);
    });

    // Lost: a mail without an answer; duplicated: a thread with more than an acknowledgement and one answer.
    const threads = samples.map((s) => provider.deliveries.filter((d) => d.rcpt === alice && d.inReplyTo === s.messageId).length);
    const inbox = await provider.list(GATEWAY.address);
    const medianOverhead = percentile(overhead, 50);
    return {
      mails: MAILS,
      lost: threads.filter((n) => n < 2).length,
      duplicated: threads.filter((n) => n > 2).length,
      leftInInbox: inbox.length,
      deliveryToAnswer: summary(total),
      containerRun: summary(container),
      overheadBeyondContainer: {
        ...summary(overhead),
        target: `median <= ${TARGET_OVERHEAD_MS} ms`,
        ratio: Math.round((medianOverhead / TARGET_OVERHEAD_MS) * 100) / 100,
      },
      breakdown: {
        inboxToAccepted: summary(pickup),
        acceptedToTaskStart: summary(toTaskStart),
        taskStartToContainerStart: summary(sandboxSetup),
        containerExitToAnswerDelivered: summary(afterContainer),
      },
      imap: 'idle',
      loadAverage1m: Math.round(loadavg()[0] * 10) / 10,
    };
  } finally {
    for (const fn of teardowns.reverse()) await fn();
  }
}
