import type { RepoView } from '../views.js';
import { byId, el, eventData } from './dom.js';
import { renderRepo } from './repo-render.js';

/** The page of one repo: loaded from `/api/repos/<id>`, then kept live by `repo` events. */
export function repoPage(root: HTMLElement): void {
  const repoId = root.dataset.repoId ?? '';
  const body = byId('repo-body');
  // A pushed update is newer than the snapshot still being fetched.
  let pushed = false;
  const show = (repo: RepoView): void => {
    renderRepo(body, repo);
    root.dataset.state = repo.state;
    root.dataset.rejected = String(repo.rejected.length);
  };
  const source = new EventSource('/api/events');
  source.addEventListener('open', () => { root.dataset.live = 'open'; });
  source.addEventListener('repo', (message) => {
    const { repo } = eventData<{ repo: RepoView }>(message);
    if (repo.id !== repoId) return;
    pushed = true;
    show(repo);
  });
  fetch(`/api/repos/${encodeURIComponent(repoId)}`)
    .then((response) => response.json() as Promise<RepoView>)
    .then((repo) => {
      if (!pushed) show(repo);
      root.dataset.loaded = 'yes';
    })
    .catch((error: unknown) => { body.prepend(el('p', 'banner error', `Could not load the repo: ${String(error)}`)); });
}
