import { el } from './dom.js';

/**
 * The conversation page: each approval in effect has a Revoke button, which
 * ends it at once through `POST /api/conversations/<id>/approvals/revoke`
 * and takes its row away (or says why it could not).
 */
export function conversationPage(root: HTMLElement): void {
  const conversationId = root.dataset.conversationId ?? '';
  for (const button of root.querySelectorAll<HTMLButtonElement>('button.revoke')) {
    button.addEventListener('click', () => { revoke(conversationId, button); });
  }
}

function revoke(conversationId: string, button: HTMLButtonElement): void {
  const row = button.closest('tr');
  const status = row?.querySelector<HTMLElement>('.revoke-result') ?? el('span');
  button.disabled = true;
  const { method = '', host = '', pathPrefix = '' } = button.dataset;
  fetch(`/api/conversations/${encodeURIComponent(conversationId)}/approvals/revoke`, {
    method: 'POST',
    headers: { 'X-Airut-Request': '1', 'Content-Type': 'application/json' },
    body: JSON.stringify({ method, host, pathPrefix }),
  })
    .then((response) => response.json() as Promise<{ result?: string; message?: string }>)
    .then((body) => {
      if (body.result === 'revoked') {
        row?.classList.add('revoked');
        status.textContent = ' Revoked.';
        return;
      }
      status.textContent = ` ${body.message ?? 'Not revoked.'}`;
      button.disabled = false;
    })
    .catch((error: unknown) => {
      status.textContent = ` ${String(error)}`;
      button.disabled = false;
    });
}
