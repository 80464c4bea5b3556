import t from 'tap';
import { validateConfig } from '../../../../src/core/config/index.js';

const repo = (slack: Record<string, unknown>) => ({
  repos: { x: { repo_url: 'https://example.com/x.git', slack: { bot_token: 'xoxb-1', app_token: 'xapp-1', authorized: [{ user_id: 'U123' }], ...slack } } },
});

void t.test('slack.api_url defaults to Slack; GovSlack and a loopback test server are accepted', (t) => {
  const slack = validateConfig(repo({})).config?.repos.x?.slack;
  t.equal(slack?.api_url, 'https://slack.com/api/');
  t.equal(slack?.max_attachment_bytes, 26214400, 'the same default as email attachments');
  for (const url of ['https://slack-gov.com/api/', 'http://127.0.0.1:5555/api/', 'http://localhost:8080/api/', 'http://[::1]:9/api/']) {
    t.strictSame(validateConfig(repo({ api_url: url })).problems, [], url);
  }
  t.end();
});

void t.test('slack.api_url: plain http to a real host, other schemes and query strings are refused with the valid forms', (t) => {
  for (const url of ['http://slack.com/api/', 'http://127.0.0.1.example.org/api/', 'ftp://slack.com/api/', 'https://slack.com/api/?x=1', 'slack.com/api']) {
    const problems = validateConfig(repo({ api_url: url })).problems;
    t.match(problems, [{ keyPath: 'repos.x.slack.api_url', message: /https:\/\/ URL like "https:\/\/slack-gov\.com\/api\/" \(http:\/\/ only for 127\.0\.0\.1, localhost or \[::1\]\)/ }], url);
    t.match(problems[0]?.message, JSON.stringify(url), 'the message quotes the bad value');
  }
  t.end();
});
