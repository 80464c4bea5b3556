/**
 * The config editor's page script, served as `/static/config-editor.js`. It
 * renders the form from the model `GET /api/config` returns, keeps the user's
 * changes as a list of edits, asks the server to validate them as they are
 * typed, shows the diff and saves. Only `textContent` and `value` are set
 * from data, never markup.
 */
import type { ConfigEditWire, EditAnswerWire, EditorModelWire, FormFieldWire, FormGroupWire, FormMapWire, FormNodeWire, KeySegmentWire, ProblemWire } from './config-wire.js';
import { byId, el } from './dom.js';

const STALE = 'The file changed on disk since you opened the editor; saving will be refused. Reload to start from the current file (unsaved changes are lost).';

/** `repos.web["a.b"][0]` from key segments. */
function keyPath(path: readonly KeySegmentWire[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** The inverse of keyPath: 'a.b["x.y"][0]' -> ['a', 'b', 'x.y', 0]; null when it does not read back. */
function parseKeyPath(text: string): KeySegmentWire[] | null {
  const out: KeySegmentWire[] = [];
  const pattern = /(?:^|\.)([A-Za-z0-9_-]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;
  let match: RegExpExecArray | null;
  while (pattern.lastIndex < text.length && (match = pattern.exec(text)) !== null) {
    out.push(match[1] ?? (match[2] !== undefined ? Number(match[2]) : JSON.parse(match[3] ?? '""') as string));
  }
  return pattern.lastIndex === text.length && keyPath(out) === text ? out : null;
}

function under(path: readonly KeySegmentWire[], prefix: readonly KeySegmentWire[]): boolean {
  return path.length >= prefix.length && prefix.every((segment, i) => path[i] === segment);
}

function hasValue(node: FormNodeWire): boolean {
  if (node.kind === 'field') return node.value.state !== 'unset';
  if (node.kind === 'map') return node.entries.length > 0;
  return node.present && node.children.some(hasValue);
}

function button(cls: string, text: string, onClick: () => void): HTMLButtonElement {
  const node = el('button', cls, text);
  node.type = 'button';
  node.addEventListener('click', (event) => {
    // Inside a <summary>, a click would also fold the section.
    event.preventDefault();
    onClick();
  });
  return node;
}

interface Answer {
  status: number;
  data: EditAnswerWire;
}

function request(method: string, url: string, body?: unknown): Promise<Answer> {
  const headers: Record<string, string> = { 'X-Airut-Request': '1' };
  const init: RequestInit = { method, headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  return fetch(url, init).then((response) => (response.json() as Promise<EditAnswerWire>).then((data) => ({ status: response.status, data })));
}

function editor(root: HTMLElement): void {
  const formRoot = byId('config-form');
  const banner = byId('config-banner');
  const problemBox = byId('config-problems');
  const statusText = byId('config-status');
  const discardButton = byId<HTMLButtonElement>('discard-config');
  const reviewButton = byId<HTMLButtonElement>('review-config');
  const saveButton = byId<HTMLButtonElement>('save-config');
  const review = byId('config-review');
  const diffBox = byId('config-diff');

  let model: EditorModelWire | undefined;
  let structural: ConfigEditWire[] = [];
  let fields = new Map<string, ConfigEditWire>();
  let problems: ProblemWire[] = [];
  let checking = false;
  let reviewed = false;
  let sequence = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const baseHash = (): string => model?.hash ?? '';
  const edits = (): ConfigEditWire[] => [...structural, ...fields.values()];
  function dropFieldsUnder(path: readonly KeySegmentWire[]): void {
    for (const [key, edit] of fields) if ('path' in edit && under(edit.path, path)) fields.delete(key);
  }

  function showBanner(kind: string, message: string, withReload: boolean): void {
    banner.hidden = false;
    banner.className = `banner ${kind}`;
    banner.textContent = message;
    if (withReload) {
      const reload = el('button', '', 'Reload');
      reload.type = 'button';
      reload.id = 'reload-config';
      reload.addEventListener('click', () => { void load(); });
      banner.appendChild(document.createTextNode(' '));
      banner.appendChild(reload);
    }
  }
  function hideBanner(): void {
    banner.hidden = true;
    banner.textContent = '';
  }

  function changed(): void {
    reviewed = false;
    review.hidden = true;
    diffBox.textContent = '';
    if (timer !== undefined) clearTimeout(timer);
    checking = true;
    updateBar();
    timer = setTimeout(validate, 250);
  }
  function updateBar(): void {
    const count = edits().length;
    let text = count === 0 ? 'No unsaved changes' : `${count} unsaved change${count === 1 ? '' : 's'}`;
    if (checking) text += ' · checking…';
    else if (problems.length > 0) text += ` · ${problems.length} problem${problems.length === 1 ? '' : 's'} to fix before saving`;
    statusText.textContent = text;
    discardButton.disabled = count === 0;
    reviewButton.disabled = count === 0 || checking;
    saveButton.disabled = count === 0 || checking || problems.length > 0 || !reviewed;
    root.dataset.problems = String(problems.length);
    root.dataset.checking = checking ? 'yes' : 'no';
  }
  function validate(): void {
    timer = undefined;
    const mine = ++sequence;
    request('POST', '/api/config/validate', { baseHash: baseHash(), edits: edits() }).then((answer) => {
      if (mine !== sequence) return;
      checking = false;
      if (answer.status !== 200) {
        showProblems([{ keyPath: '', message: answer.data.message ?? `validation failed (${answer.status})` }]);
      } else {
        showProblems(answer.data.problems ?? []);
        if (answer.data.stale === true) showBanner('warning', STALE, true);
      }
      updateBar();
    }).catch((error: unknown) => {
      if (mine !== sequence) return;
      checking = false;
      showProblems([{ keyPath: '', message: `Could not check the changes: ${String(error)}` }]);
      updateBar();
    });
  }
  function showProblems(list: ProblemWire[]): void {
    problems = list;
    formRoot.querySelectorAll('.field-error').forEach((node) => { node.textContent = ''; });
    formRoot.querySelectorAll('.invalid').forEach((node) => { node.classList.remove('invalid'); });
    const items = problemBox.querySelector('ul');
    if (items === null) throw new Error('the page has no list in #config-problems');
    items.textContent = '';
    for (const problem of list) {
      const item = el('li', '', (problem.keyPath === '' ? '' : `${problem.keyPath}: `) + problem.message);
      const segments = problem.keyPath === '' ? null : parseKeyPath(problem.keyPath);
      if (segments !== null && /^unknown key/.test(problem.message)) {
        // The form has no field for a key the schema does not know; offer to drop it.
        const drop = button('remove', 'Remove this key', () => {
          fields.set(problem.keyPath, { op: 'delete', path: segments });
          changed();
        });
        item.appendChild(document.createTextNode(' '));
        item.appendChild(drop);
      }
      items.appendChild(item);
      let path = problem.keyPath;
      let target: HTMLElement | null = null;
      for (;;) {
        target = formRoot.querySelector<HTMLElement>(`[data-key-path="${CSS.escape(path)}"]`);
        if (target !== null || path === '') break;
        const shorter = path.replace(/(\.[A-Za-z0-9_-]+|\[[^\]]*\])$/, '');
        path = shorter === path ? '' : shorter;
      }
      if (target === null) continue;
      target.classList.add('invalid');
      for (let fold = target.closest('details'); fold !== null; fold = fold.parentElement?.closest('details') ?? null) fold.open = true;
      const slot = target.querySelector(':scope > .field-error');
      if (slot !== null) {
        const where = path === problem.keyPath ? '' : `${problem.keyPath.slice(path.length).replace(/^\./, '')}: `;
        slot.textContent = (slot.textContent === '' || slot.textContent === null ? '' : `${slot.textContent} `) + where + problem.message;
      }
    }
    problemBox.hidden = list.length === 0;
  }

  function inputFor(node: FormFieldWire, path: KeySegmentWire[]): HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement {
    const value = node.value;
    const id = `f-${keyPath(path).replace(/[^A-Za-z0-9_-]/g, '_')}`;
    let input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
    if (node.input === 'boolean' || node.input === 'enum') {
      const select = el('select');
      const choices = node.input === 'boolean' ? ['true', 'false'] : node.options ?? [];
      const blank = el('option', '', node.default !== undefined ? `(default: ${node.default})` : '(not set)');
      blank.value = '';
      select.appendChild(blank);
      for (const choice of choices) {
        const option = el('option', '', choice);
        option.value = choice;
        select.appendChild(option);
      }
      if (value.state === 'reference') {
        const ref = el('option', '', value.text);
        ref.value = value.text;
        select.appendChild(ref);
      }
      select.value = value.text;
      input = select;
    } else if (node.input === 'lines' || node.input === 'yaml') {
      const area = el('textarea');
      area.rows = node.input === 'lines' ? Math.max(2, (value.lines ?? []).length + 1) : 3;
      area.value = value.text;
      area.placeholder = node.input === 'lines' ? `one per line${node.default !== undefined ? ` (default: ${node.default})` : ''}` : 'YAML, e.g. [{workspace_members: true}]';
      input = area;
    } else {
      const line = el('input');
      line.type = node.secret && value.state !== 'reference' ? 'password' : 'text';
      if (node.input === 'integer' || node.input === 'number') line.inputMode = 'decimal';
      line.autocomplete = 'off';
      line.spellcheck = false;
      if (value.state === 'masked') {
        line.value = '';
        line.placeholder = `${value.text} (stored; type to replace)`;
      } else {
        line.value = value.text;
        if (node.default !== undefined) line.placeholder = node.default;
        else if (node.secret) line.placeholder = '!env NAME';
      }
      input = line;
    }
    input.id = id;
    input.disabled = node.readOnly;
    const edit = (): void => {
      const current = input.value;
      // A reference is not secret: show it while it is typed.
      if (node.secret && input instanceof HTMLInputElement) input.type = current.trim().startsWith('!') ? 'text' : 'password';
      const key = keyPath(path);
      const untouched = value.state === 'masked' ? current === '' : current === value.text;
      if (untouched) fields.delete(key);
      else if (current.trim() === '') {
        if (value.state === 'unset') fields.delete(key);
        else fields.set(key, { op: 'delete', path });
      } else if (node.input === 'lines') {
        fields.set(key, { op: 'set', path, value: current.split('\n').map((line) => line.trim()).filter((line) => line !== '') });
      } else fields.set(key, { op: 'set', path, value: current });
      changed();
    };
    input.addEventListener(input instanceof HTMLSelectElement ? 'change' : 'input', edit);
    return input;
  }

  function renderField(node: FormFieldWire, path: KeySegmentWire[], label: string): HTMLElement {
    const box = el('div', `field${node.required ? ' required' : ''}`);
    box.dataset.keyPath = keyPath(path);
    const input = inputFor(node, path);
    const title = el('label', '', label);
    title.htmlFor = input.id;
    box.appendChild(title);
    box.appendChild(input);
    if (node.description !== '') box.appendChild(el('p', 'help', node.description + (node.secret ? ' Write !env NAME to keep it in the environment; a stored value is never shown.' : '')));
    box.appendChild(el('p', 'field-error'));
    return box;
  }

  function renderChildren(node: FormGroupWire, path: KeySegmentWire[], into: HTMLElement): void {
    for (const child of node.children) into.appendChild(renderNode(child, [...path, child.key], child.key, false, false));
  }

  // Top-level sections and repos are always open; the many blocks inside a repo fold away until they hold something.
  function frame(node: FormGroupWire | FormMapWire, path: KeySegmentWire[], label: string, open: boolean): { box: HTMLElement; head: HTMLElement; body: HTMLElement } {
    const collapsible = path.length >= 3;
    const cls = `${node.kind === 'map' ? 'map' : 'group'} depth-${Math.min(path.length, 4)}`;
    const box = collapsible ? el('details', cls) : el('fieldset', cls);
    box.dataset.keyPath = keyPath(path);
    const head = collapsible ? el('summary') : el('legend');
    head.appendChild(el('span', 'title', label));
    box.appendChild(head);
    if (box instanceof HTMLDetailsElement) box.open = open;
    if (node.description !== '') box.appendChild(el('p', 'help', node.description));
    box.appendChild(el('p', 'field-error'));
    const body = el('div', 'body');
    box.appendChild(body);
    return { box, head, body };
  }

  function renderGroup(node: FormGroupWire, path: KeySegmentWire[], label: string, removable: boolean, fresh: boolean): HTMLElement {
    const present = node.present || structural.some((edit) => edit.op === 'addObject' && keyPath(edit.path) === keyPath(path));
    const parts = frame(node, path, label, fresh || hasValue(node));
    if (node.optional && !removable) {
      const show = (on: boolean): void => {
        parts.body.textContent = '';
        if (on) renderChildren(node, path, parts.body);
        add.hidden = on;
        remove.hidden = !on;
        if (parts.box instanceof HTMLDetailsElement) parts.box.open = on;
      };
      const add = button('add', `Add ${label}`, () => {
        structural.push({ op: 'addObject', path });
        show(true);
        changed();
      });
      const remove = button('remove', `Remove ${label}`, () => {
        dropFieldsUnder(path);
        structural.push({ op: 'delete', path });
        show(false);
        changed();
      });
      parts.head.appendChild(add);
      parts.head.appendChild(remove);
      show(present);
    } else {
      renderChildren(node, path, parts.body);
    }
    return parts.box;
  }

  function renderMap(node: FormMapWire, path: KeySegmentWire[], label: string): HTMLElement {
    const parts = frame(node, path, label, hasValue(node));
    const list = parts.body;
    const isRepos = path.length === 1 && path[0] === 'repos';
    const addEntry = (entryNode: FormNodeWire, key: string, fresh: boolean): void => {
      const entryPath = [...path, key];
      const item = renderNode(entryNode, entryPath, key, true, fresh);
      item.classList.add('entry');
      const remove = button('remove', isRepos ? `Remove repository ${key}` : `Remove ${key}`, () => {
        if (isRepos && !confirm(`Remove repository ${key} from the configuration? Its conversations and state stay on disk.`)) return;
        dropFieldsUnder(entryPath);
        structural.push(isRepos ? { op: 'removeRepo', id: key } : { op: 'delete', path: entryPath });
        item.remove();
        changed();
      });
      const head = item.querySelector(':scope > legend, :scope > summary, :scope > label');
      (head ?? item).appendChild(remove);
      list.appendChild(item);
      if (fresh) {
        if (isRepos) structural.push({ op: 'addRepo', id: key });
        else if (entryNode.kind !== 'field') structural.push({ op: 'addObject', path: entryPath });
        changed();
        item.querySelector<HTMLElement>('input, select, textarea')?.focus();
      }
    };
    for (const entry of node.entries) addEntry(entry, entry.key, false);
    if (node.entries.length === 0 && isRepos) list.appendChild(el('p', 'none', 'No repositories configured yet.'));
    const adder = el('div', 'add-entry');
    const keyInput = el('input');
    keyInput.type = 'text';
    keyInput.placeholder = isRepos ? 'new repo id, e.g. my-repo' : 'new key';
    keyInput.setAttribute('aria-label', isRepos ? 'New repository id' : `New key for ${label}`);
    const keyError = el('span', 'field-error');
    const addButton = button('add', isRepos ? 'Add repository' : 'Add', () => {
      const key = keyInput.value.trim();
      keyError.textContent = '';
      if (key === '') { keyError.textContent = 'Type a name first.'; return; }
      if (node.keyPattern !== undefined && !new RegExp(node.keyPattern).test(key)) { keyError.textContent = `Must be ${node.keyHint ?? 'a valid name'}.`; return; }
      if (list.querySelector(`:scope > [data-key-path="${CSS.escape(keyPath([...path, key]))}"]`) !== null) { keyError.textContent = `${key} already exists.`; return; }
      list.querySelector('.none')?.remove();
      keyInput.value = '';
      addEntry(node.template, key, true);
    });
    adder.appendChild(keyInput);
    adder.appendChild(addButton);
    adder.appendChild(keyError);
    parts.box.appendChild(adder);
    return parts.box;
  }

  function renderNode(node: FormNodeWire, path: KeySegmentWire[], label: string, removable: boolean, fresh: boolean): HTMLElement {
    if (node.kind === 'group') return renderGroup(node, path, label, removable, fresh);
    if (node.kind === 'map') return renderMap(node, path, label);
    return renderField(node, path, label);
  }

  function render(form: FormGroupWire | undefined): void {
    formRoot.textContent = '';
    if (form === undefined) {
      formRoot.appendChild(el('p', 'banner error', 'The file cannot be edited here until its YAML syntax is fixed by hand (see the problems above).'));
      return;
    }
    for (const child of form.children) formRoot.appendChild(renderNode(child, [child.key], child.key, false, false));
  }

  function load(): Promise<void> {
    structural = [];
    fields = new Map();
    reviewed = false;
    checking = false;
    review.hidden = true;
    hideBanner();
    return fetch('/api/config').then((response) => response.json() as Promise<EditorModelWire>).then((data) => {
      model = data;
      root.dataset.hash = data.hash;
      byId('no-config').hidden = data.exists;
      byId('config-path').hidden = !data.exists;
      render(data.form ?? undefined);
      showProblems(data.problems);
      updateBar();
      root.dataset.ready = 'yes';
    }).catch((error: unknown) => {
      showBanner('error', `Could not load the configuration: ${String(error)}`, true);
    });
  }

  function showDiff(text: string): void {
    diffBox.textContent = '';
    for (const line of text.split('\n')) {
      const cls = line.startsWith('@@') ? 'hunk' : line.startsWith('+++') || line.startsWith('---') ? 'file' : line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : 'ctx';
      diffBox.appendChild(el('span', cls, `${line}\n`));
    }
  }

  reviewButton.addEventListener('click', () => {
    reviewButton.disabled = true;
    request('POST', '/api/config/diff', { baseHash: baseHash(), edits: edits() }).then((answer) => {
      if (answer.status !== 200) { showBanner('error', answer.data.message ?? `Review failed (${answer.status})`, false); updateBar(); return; }
      showProblems(answer.data.problems ?? []);
      showDiff(answer.data.diff === undefined || answer.data.diff === '' ? '(no change to the file)' : answer.data.diff);
      review.hidden = false;
      reviewed = true;
      if (answer.data.stale === true) showBanner('warning', STALE, true);
      updateBar();
      review.scrollIntoView({ block: 'nearest' });
    }).catch((error: unknown) => { showBanner('error', `Could not review the changes: ${String(error)}`, false); updateBar(); });
  });

  saveButton.addEventListener('click', () => {
    saveButton.disabled = true;
    request('PUT', '/api/config', { baseHash: baseHash(), edits: edits() }).then(async (answer) => {
      if (answer.status === 200) {
        await load();
        showBanner('success', 'Saved. airut serve applies the new configuration when it notices the change.', false);
        root.dataset.saved = answer.data.hash ?? '';
        return;
      }
      if (answer.status === 409) showBanner('error', `${answer.data.message ?? 'The file changed'}. ${answer.data.hint ?? ''}`, true);
      else if (answer.status === 422) {
        showProblems(answer.data.problems ?? []);
        showBanner('error', answer.data.message ?? 'The configuration is invalid', false);
      } else showBanner('error', answer.data.message ?? `Saving failed (${answer.status})`, false);
      updateBar();
    }).catch((error: unknown) => { showBanner('error', `Could not save: ${String(error)}`, false); updateBar(); });
  });

  discardButton.addEventListener('click', () => { void load(); });
  // Enter in a field must not submit (and reload) the page.
  formRoot.addEventListener('submit', (event) => { event.preventDefault(); });

  void load();
}

const root = document.querySelector<HTMLElement>('[data-page="config"]');
if (root !== null) editor(root);
