import { byId, el, eventData } from './dom.js';

/** A waiting hold as `/api/tasks/<id>/holds` lists it (the server's HoldView). */
interface HoldView {
  holdId: string;
  method: string;
  host: string;
  path: string;
  expiresAt: string;
}

/**
 * The prompts of a running task's held requests: method, host, path, seconds
 * left, Allow and Deny. Read from `/api/tasks/<id>/holds` at load and again on
 * every `hold` run event of the task's stream (a hold starting or ending).
 */
export function taskHolds(taskId: string, source: EventSource): void {
  const list = byId('holds');
  let holds: HoldView[] = [];

  function render(): void {
    list.replaceChildren();
    for (const hold of holds) {
      const left = Math.max(0, Math.ceil((Date.parse(hold.expiresAt) - Date.now()) / 1000));
      const item = el('li', 'hold');
      item.dataset.holdId = hold.holdId;
      item.appendChild(el('code', 'request', `${hold.method} ${hold.host}${hold.path}`));
      item.appendChild(el('span', 'left', ` ${left} s left `));
      const status = el('span', 'hold-result');
      status.setAttribute('role', 'status');
      for (const allow of [true, false]) {
        const button = el('button', allow ? 'allow' : 'danger deny', allow ? 'Allow' : 'Deny');
        button.type = 'button';
        button.addEventListener('click', () => { answer(hold.holdId, allow, item, status); });
        item.appendChild(button);
      }
      item.appendChild(status);
      list.appendChild(item);
    }
    list.hidden = holds.length === 0;
  }

  function answer(holdId: string, allow: boolean, item: HTMLElement, status: HTMLElement): void {
    for (const button of item.querySelectorAll('button')) button.disabled = true;
    fetch(`/api/tasks/${taskId}/holds/${encodeURIComponent(holdId)}`, {
      method: 'POST',
      headers: { 'X-Airut-Request': '1', 'Content-Type': 'application/json' },
      body: JSON.stringify({ allow }),
    })
      .then((response) => response.json() as Promise<{ result?: string; message?: string }>)
      .then((body) => { status.textContent = body.result === 'decided' ? (allow ? ' Allowed.' : ' Denied.') : ` ${body.message ?? ''}`; })
      .catch((error: unknown) => { status.textContent = ` ${String(error)}`; });
  }

  function refresh(): void {
    fetch(`/api/tasks/${taskId}/holds`)
      .then((response) => response.json() as Promise<{ holds?: HoldView[] }>)
      .then((body) => { holds = body.holds ?? []; render(); })
      .catch(() => { /* the next hold event asks again */ });
  }

  source.addEventListener('run', (message) => {
    if (eventData<{ event: { type?: string } }>(message).event.type === 'hold') refresh();
  });
  setInterval(() => { if (holds.length > 0) render(); }, 1000);
  refresh();
}
