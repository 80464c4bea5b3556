import { readFile } from 'node:fs/promises';
import t from 'tap';

interface Manifest {
  oauth_config: { scopes: { bot: string[] } };
  settings: { socket_mode_enabled: boolean; event_subscriptions: { bot_events: string[] } };
  features: { assistant_view?: unknown };
}

t.test('the app manifest asks for Socket Mode, the events and the scopes the channel uses', async (t) => {
  const manifest = JSON.parse(await readFile(new URL('../../../../config/slack-app-manifest.json', import.meta.url), 'utf8')) as Manifest;
  t.equal(manifest.settings.socket_mode_enabled, true);
  t.ok(manifest.features.assistant_view, 'the Agents & AI Apps surface is on');
  const scopes = new Set(manifest.oauth_config.scopes.bot);
  // One scope per Web API method family the channel calls.
  for (const scope of ['assistant:write', 'chat:write', 'im:history', 'users:read', 'files:read', 'files:write', 'app_mentions:read', 'channels:history', 'groups:history', 'reactions:write', 'usergroups:read']) {
    t.ok(scopes.has(scope), scope);
  }
  t.same([...manifest.settings.event_subscriptions.bot_events].sort(), [
    'app_mention', 'assistant_thread_context_changed', 'assistant_thread_started', 'message.channels', 'message.groups', 'message.im',
  ]);
});
