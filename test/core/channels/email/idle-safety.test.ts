import t from 'tap';
import type { ImapFlow } from 'imapflow';
import { InboxWatcher } from '../../../../src/core/channels/email/inbox-watcher.js';
import { GATEWAY, provider } from './mail-fixture.js';

t.test('IDLE: a mail whose push is lost is still found after one poll interval', async (t) => {
  const p = await provider(t);
  let found: (uids: number[]) => void = () => undefined;
  const seen = new Promise<number[]>((resolve) => { found = resolve; });
  const watcher = new InboxWatcher({
    connect: () => ({ host: p.dovecot.host, port: p.dovecot.port, secure: false, doSTARTTLS: false, auth: { user: GATEWAY.address, pass: GATEWAY.password }, logger: false }),
    useIdle: true,
    pollIntervalMs: 500,
    backoff: { initialMs: 50, maxMs: 400 },
    startAttempts: 1,
    scan: async (client: ImapFlow) => {
      const uids = (await client.search({ all: true }, { uid: true })) || [];
      if (uids.length > 0) found(uids);
    },
    onError: () => undefined,
    clock: () => new Date(),
  });
  await watcher.start();
  t.teardown(() => watcher.stop());
  t.equal(watcher.state().state, 'idle');

  // The server's EXISTS still arrives, but nobody hears it: as if the push were lost.
  watcher.connected()?.removeAllListeners('exists');
  await p.inject(GATEWAY.address, 'From: alice@corp.test\r\nTo: airut@corp.test\r\nSubject: quiet\r\nMessage-ID: <quiet@corp.test>\r\n\r\nhello\r\n');
  const guard = new Promise<'never'>((resolve) => { setTimeout(() => { resolve('never'); }, 20_000).unref(); });
  t.same(await Promise.race([seen, guard]), [1], 'the inbox was scanned without a push');
  t.equal(watcher.state().state, 'idle', 'and the watcher went back to idling');
});
