import { byId, el, eventData } from './dom.js';

/** A waiting hold as `/api/tasks/<id>/holds` lists it (the server's HoldView). */
interface HoldView {
  holdId: string;
  method: string;
  host: string;
  path: string;
  expiresAt: string;
}

/** The countdown text of a hold. */
function secondsLeft(hold: HoldView): string {
  return ` ${Math.max(0, Math.ceil((Date.parse(hold.expiresAt) - Date.now()) / 1000))} s left `;
}

/**
 * The prompts of a running task's held requests: method, host, path, seconds
 * left, Allow and Deny. Read from `/api/tasks/<id>/holds` at load and again on
 * every `hold` run event of the task's stream (a hold starting or ending).
 * A hold pressed here keeps its buttons off and its outcome until its end
 * arrives: the countdown only rewrites the seconds, and a redraw for another
 * hold keeps what was answered.
 */
export function taskHolds(taskId: string, source: EventSource): void {
  const list = byId('holds');
  let holds: HoldView[] = [];
  /** Holds pressed on this page: what the answer said so far (empty while it is sent). */
  const answered = new Map<string, string>();
  let countdowns: { hold: HoldView; left: HTMLElement }[] = [];

  function render(): void {
    list.replaceChildren();
    countdowns = [];
    for (const hold of holds) {
      const item = el('li', 'hold');
      item.dataset.holdId = hold.holdId;
      item.appendChild(el('code', 'request', `${hold.method} ${hold.host}${hold.path}`));
      const left = el('span', 'left', secondsLeft(hold));
      countdowns.push({ hold, left });
      item.appendChild(left);
      const status = el('span', 'hold-result', answered.get(hold.holdId));
      status.setAttribute('role', 'status');
      for (const allow of [true, false]) {
        const button = el('button', allow ? 'allow' : 'danger deny', allow ? 'Allow' : 'Deny');
        button.type = 'button';
        button.disabled = answered.has(hold.holdId);
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
    answered.set(holdId, '');
    const said = (text: string): void => {
      answered.set(holdId, text);
      // The item may have been redrawn meanwhile: say it in the one shown.
      const shown = [...list.querySelectorAll<HTMLElement>('li.hold')].find((li) => li.dataset.holdId === holdId)?.querySelector('.hold-result');
      (shown ?? status).textContent = text;
    };
    fetch(`/api/tasks/${taskId}/holds/${encodeURIComponent(holdId)}`, {
      method: 'POST',
      headers: { 'X-Airut-Request': '1', 'Content-Type': 'application/json' },
      body: JSON.stringify({ allow }),
    })
      .then((response) => response.json() as Promise<{ result?: string; message?: string }>)
      .then((body) => { said(body.result === 'decided' ? (allow ? ' Allowed.' : ' Denied.') : ` ${body.message ?? ''}`); })
      .catch((error: unknown) => { said(` ${String(error)}`); });
  }

  function refresh(): void {
    fetch(`/api/tasks/${taskId}/holds`)
      .then((response) => response.json() as Promise<{ holds?: HoldView[] }>)
      .then((body) => {
        holds = body.holds ?? [];
        // Forget the answers of holds no longer listed; the others keep theirs through the redraw.
        for (const holdId of answered.keys()) if (!holds.some((h) => h.holdId === holdId)) answered.delete(holdId);
        render();
      })
      .catch(() => { /* the next hold event asks again */ });
  }

  source.addEventListener('run', (message) => {
    if (eventData<{ event: { type?: string } }>(message).event.type === 'hold') refresh();
  });
  setInterval(() => { for (const { hold, left } of countdowns) left.textContent = secondsLeft(hold); }, 1000);
  refresh();
}
