import { execa } from 'execa';
import t from 'tap';
import { OWNER_LABEL } from '../../src/sandbox/runtime/index.js';
import { testContainersConf } from '../harness/podman.js';
import { ALICE, GATEWAY, startGatewayWorld } from './gateway-world.js';

interface ContainerEvent {
  ID: string;
  Name: string;
  Status: string;
}

t.test('10 new conversations at once with max_concurrent 2: 10 replies, never more than 2 task containers at once', async (t) => {
  const world = await startGatewayWorld(t, { scenario: 'success', maxConcurrent: 2 });
  const since = new Date(Date.now() - 1000).toISOString();

  // podman's own event log of every container this service started: unlike sampling
  // `podman ps`, it cannot miss a container that lived between two samples.
  const events: ContainerEvent[] = [];
  const watcher = execa('podman', [
    'events', '--format', 'json', '--since', since,
    '--filter', `label=${OWNER_LABEL}=${String(world.child.pid)}`,
    '--filter', 'event=start', '--filter', 'event=died', '--filter', 'event=remove',
  ], { env: { CONTAINERS_CONF: testContainersConf() }, reject: false, buffer: false });
  t.teardown(async () => {
    watcher.kill();
    await watcher;
  });
  let pending = '';
  watcher.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') events.push(JSON.parse(line) as ContainerEvent);
  });

  const subjects = Array.from({ length: 10 }, (_, i) => `Job ${i + 1}`);
  await Promise.all(subjects.map((subject) => world.provider.send(ALICE, {
    from: ALICE.address,
    to: GATEWAY.address,
    subject,
    // Each run keeps its container for a while, so runs would overlap if the limit let them.
    text: `Do ${subject}.\nfake-claude: hold 2\n`,
  })));

  await world.lines(/task finished .*reason=success/, 10);
  const mails = await world.provider.waitFor(ALICE.address, (m) => m.length >= 20, 300_000);
  t.equal(mails.length, 20, 'one acknowledgement and one answer per mail');
  for (const subject of subjects) {
    const thread = mails.filter((m) => (m.parsed.subject ?? '').endsWith(`] ${subject}`));
    t.equal(thread.length, 2, `${subject}: acknowledgement and answer`);
    t.match(thread[1]?.parsed.text, /Held 2 s\./);
  }
  t.equal(world.output().match(/task started/g)?.length, 10, 'ten runs');

  const isTask = (e: ContainerEvent): boolean => !e.Name.includes('-proxy-');
  const deadline = Date.now() + 60_000;
  // The event log is written by podman itself and read back by the watcher: wait for the last exits.
  while (new Set(events.filter((e) => isTask(e) && e.Status !== 'start').map((e) => e.ID)).size < 10 && Date.now() < deadline) {
    await new Promise<void>((resolve) => { setTimeout(resolve, 100); });
  }
  const started = events.filter((e) => isTask(e) && e.Status === 'start');
  t.equal(new Set(started.map((e) => e.ID)).size, 10, 'ten task containers started');
  let running = 0;
  let most = 0;
  const ended = new Set<string>();
  for (const event of events.filter(isTask)) {
    if (event.Status === 'start') running += 1;
    else if (!ended.has(event.ID)) {
      ended.add(event.ID);
      running -= 1;
    }
    most = Math.max(most, running);
  }
  t.equal(ended.size, 10, 'and all ten ended');
  t.equal(most, 2, 'two task containers ran at once, never more');
});
