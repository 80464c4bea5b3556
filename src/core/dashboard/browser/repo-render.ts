import type { ChannelView, RepoView } from '../views.js';
import { el } from './dom.js';

/** `email: idle` or `email: backoff — <error>`. */
export function channelSummary(channel: ChannelView): string {
  return `${channel.kind}: ${channel.state}${channel.lastError === undefined ? '' : ` — ${channel.lastError}`}`;
}

/** `retrying at 14:03:07` in the reader's local time, for a channel waiting to reconnect. */
function retryText(retryAt: string): string {
  const at = new Date(retryAt);
  const time = [at.getHours(), at.getMinutes(), at.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
  return `retrying at ${time}`;
}

function facts(pairs: [string, string, string][]): HTMLDListElement {
  const list = el('dl', 'facts');
  for (const [label, id, value] of pairs) {
    list.appendChild(el('dt', '', label));
    const dd = el('dd', '', value);
    dd.id = id;
    list.appendChild(dd);
  }
  return list;
}

/** "Run now" of one schedule: a same-origin POST with the custom header (the API refuses anything else); the answer is shown beside it. */
function runNowButton(repoId: string, name: string): HTMLSpanElement {
  const cell = el('span', 'run-now');
  const button = el('button', '', 'Run now');
  button.dataset.schedule = name;
  const result = el('span', 'run-now-result');
  button.addEventListener('click', () => {
    button.disabled = true;
    fetch(`/api/repos/${encodeURIComponent(repoId)}/schedules/${encodeURIComponent(name)}/run`, { method: 'POST', headers: { 'X-Airut-Request': '1' } })
      .then((response) => response.json() as Promise<{ result?: string; message?: string }>)
      .then((body) => { result.textContent = body.result === 'started' ? 'Started.' : body.message ?? ''; })
      .catch((error: unknown) => { result.textContent = String(error); })
      .finally(() => { button.disabled = false; });
  });
  cell.append(button, ' ', result);
  return cell;
}

/** Renders everything the repo page shows about `repo` into `into` (replacing what was there). */
export function renderRepo(into: HTMLElement, repo: RepoView): void {
  into.textContent = '';
  into.appendChild(facts([
    ['State', 'repo-state', repo.state],
    ['Last error', 'repo-error', repo.lastError === undefined ? '—' : `${repo.lastError.type}: ${repo.lastError.message} (${repo.lastError.at})`],
    ['Next retry', 'repo-retry', repo.nextRetryAt ?? '—'],
    ['Reload pending', 'repo-reload', repo.reloadPending ?? 'no'],
  ]));

  into.appendChild(el('h2', '', 'Channels'));
  const channels = el('table', 'channels');
  channels.id = 'repo-channels';
  const head = el('tr');
  for (const title of ['Channel', 'State', 'Last error', 'Next attempt']) head.appendChild(el('th', '', title));
  channels.appendChild(el('thead')).appendChild(head);
  into.appendChild(channels);
  const channelBody = channels.appendChild(el('tbody'));
  for (const channel of repo.channels) {
    const row = el('tr', `channel ${channel.state}`);
    row.dataset.channel = channel.kind;
    row.appendChild(el('td', '', channel.kind));
    row.appendChild(el('td', 'state', channel.state));
    row.appendChild(el('td', 'error', channel.lastError ?? '—'));
    const retry = row.appendChild(el('td', 'retry', channel.retryAt === undefined ? '—' : retryText(channel.retryAt)));
    if (channel.retryAt !== undefined) retry.title = channel.retryAt;
    channelBody.appendChild(row);
  }
  if (repo.channels.length === 0) channelBody.appendChild(el('tr')).appendChild(el('td', 'none', 'No channel is running.'));

  into.appendChild(el('h2', '', 'Rejected messages'));
  const rejected = el('table', 'rejected');
  rejected.id = 'repo-rejected';
  const rejectedHead = el('tr');
  for (const title of ['When', 'Channel', 'Sender', 'Reason', 'Why']) rejectedHead.appendChild(el('th', '', title));
  rejected.appendChild(el('thead')).appendChild(rejectedHead);
  into.appendChild(rejected);
  const rejectedBody = rejected.appendChild(el('tbody'));
  for (const message of repo.rejected) {
    const row = el('tr', `rejected ${message.reason}`);
    row.appendChild(el('td', '', message.at));
    row.appendChild(el('td', '', message.channel));
    row.appendChild(el('td', 'sender', message.sender));
    row.appendChild(el('td', 'reason', message.reason));
    row.appendChild(el('td', 'detail', message.detail));
    rejectedBody.appendChild(row);
  }
  if (repo.rejected.length === 0) rejectedBody.appendChild(el('tr')).appendChild(el('td', 'none', 'None since the service started.'));

  if (repo.schedules !== undefined) {
    into.appendChild(el('h2', '', 'Schedules'));
    const schedules = el('table', 'schedules');
    schedules.id = 'repo-schedules';
    const scheduleHead = el('tr');
    for (const title of ['Name', 'Schedule', 'Next run', 'Last run', 'Outcome', '']) scheduleHead.appendChild(el('th', '', title));
    schedules.appendChild(el('thead')).appendChild(scheduleHead);
    into.appendChild(schedules);
    const scheduleBody = schedules.appendChild(el('tbody'));
    for (const schedule of repo.schedules) {
      const row = el('tr', 'schedule');
      for (const cell of [schedule.name, schedule.schedule, schedule.nextRunAt ?? '—', schedule.lastRunAt ?? '—', schedule.lastOutcome ?? '—']) row.appendChild(el('td', '', cell));
      row.appendChild(el('td')).appendChild(runNowButton(repo.id, schedule.name));
      scheduleBody.appendChild(row);
    }
    if (repo.schedules.length === 0) scheduleBody.appendChild(el('tr')).appendChild(el('td', 'none', 'No schedules.'));
  }
}
