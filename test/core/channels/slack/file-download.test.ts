import { once } from 'node:events';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { downloadSlackFiles, isSlackFileUrl } from '../../../../src/core/channels/slack/file-download.js';
import type { SlackFile } from '../../../../src/core/channels/slack/slack-event.js';
import { otherServer } from './slack-fixture.js';

t.test('the bot token goes only to the API host or its files. host, same scheme and port', async (t) => {
  const slack = 'https://slack.com/api/';
  t.ok(isSlackFileUrl('https://files.slack.com/files-pri/T1-F1/download/a.txt', slack));
  t.ok(isSlackFileUrl('https://slack.com/files-pri/T1-F1/a.txt', slack));
  t.ok(isSlackFileUrl('https://files.slack-gov.com/files-pri/T1-F1/a.txt', 'https://slack-gov.com/api/'));
  t.ok(isSlackFileUrl('http://127.0.0.1:4000/files-pri/x', 'http://127.0.0.1:4000/api/'));
  for (const url of [
    'http://files.slack.com/files-pri/x',
    'https://files.slack.com:8443/files-pri/x',
    'https://files.slack.com.example.org/x',
    'https://evil.example/files.slack.com/x',
    'https://user:pw@files.slack.com/x',
    'https://files.slack-gov.com/x',
    'not a url',
  ]) {
    t.notOk(isSlackFileUrl(url, slack), url);
  }
  t.notOk(isSlackFileUrl('http://127.0.0.1:4001/x', 'http://127.0.0.1:4000/api/'), 'another port of the same host');
  t.notOk(isSlackFileUrl('http://localhost:4000/x', 'http://127.0.0.1:4000/api/'), 'another name for the same host');
});

/** A stand-in for Slack's file host on 127.0.0.1. */
async function fileHost(t: Test, handler: RequestListener): Promise<string> {
  const server = createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const file = (name: string, url: string, size?: number): SlackFile => ({ id: undefined, name, url, size, mimetype: 'text/plain' });

t.test('size limit without a declared size; redirects followed only on Slack; a hostile name is made safe', async (t) => {
  const elsewhere = await otherServer(t);
  const tokens: (string | undefined)[] = [];
  const origin = await fileHost(t, (req, res) => {
    tokens.push(req.headers.authorization);
    if (req.url === '/stream') {
      // Chunked, no content-length: the limit must hold while reading.
      res.write('x'.repeat(40));
      res.end('x'.repeat(40));
    } else if (req.url === '/moved') {
      res.writeHead(302, { location: '/final' }).end();
    } else if (req.url === '/away') {
      res.writeHead(302, { location: `${elsewhere.url}/stolen` }).end();
    } else if (req.url === '/final') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('after a redirect');
    } else {
      res.writeHead(404).end();
    }
  });
  const got = await downloadSlackFiles([
    file('stream.bin', `${origin}/stream`),
    file('../../etc/passwd', `${origin}/moved`),
    file('away.txt', `${origin}/away`),
  ], { token: 'xoxb-test', apiUrl: `${origin}/api/`, maxBytes: 50 });
  t.same(got.attachments.map((a) => [a.filename, a.content.toString()]), [['passwd', 'after a redirect']]);
  t.same(got.failed, [
    'stream.bin (more than 50 bytes, over the limit)',
    `away.txt (not on Slack's file host: ${new URL(elsewhere.url).host})`,
  ]);
  t.ok(tokens.every((h) => h === 'Bearer xoxb-test'));
  t.equal(elsewhere.requests(), 0, 'the redirect off Slack was not followed');
});

t.test('an unreachable host and a hung download fail with a reason instead of throwing', async (t) => {
  const origin = await fileHost(t, () => {
    // Never answers: the download must give up on its own.
  });
  const got = await downloadSlackFiles([file('slow.txt', `${origin}/slow`)], { token: 'xoxb-test', apiUrl: `${origin}/api/`, maxBytes: 50, timeoutMs: 200 });
  t.same(got.attachments, []);
  t.match(got.failed, [/^slow\.txt \(download failed: .*(abort|timeout)/i]);
});
