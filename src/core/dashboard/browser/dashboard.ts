/**
 * The dashboard's page script, served as `/static/dashboard.js` (same origin,
 * so the CSP allows it). Each page marks its root with `data-page`; this
 * module wires the one it finds to the live event stream.
 */
import { conversationPage } from './conversation-page.js';
import { el } from './dom.js';
import { overviewPage } from './overview-page.js';
import { repoPage } from './repo-page.js';
import { taskPage } from './task-page.js';

const pages: Record<string, (root: HTMLElement) => void> = {
  overview: overviewPage,
  task: taskPage,
  repo: repoPage,
  conversation: conversationPage,
};

for (const root of document.querySelectorAll<HTMLElement>('[data-page]')) {
  const page = pages[root.dataset.page ?? ''];
  try {
    page?.(root);
  } catch (error) {
    // A page whose script failed says so instead of silently showing stale data.
    root.prepend(el('p', 'banner error', `The live view failed to start: ${String(error)}`));
  }
}
