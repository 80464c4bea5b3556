/**
 * The config editor's browser script, served as `/static/config-editor.js`
 * (same origin, so the CSP allows it; no build step). It renders the form from
 * the model `GET /api/config` returns, keeps the user's changes as a list of
 * edits, asks the server to validate them as they are typed, shows the diff
 * and saves. Only `textContent` and `value` are set from data, never markup.
 */
export const EDITOR_JS = String.raw`'use strict';
(function () {
  var root = document.querySelector('[data-page="config"]');
  if (!root) return;
  var formRoot = document.getElementById('config-form');
  var banner = document.getElementById('config-banner');
  var problemBox = document.getElementById('config-problems');
  var statusText = document.getElementById('config-status');
  var discardButton = document.getElementById('discard-config');
  var reviewButton = document.getElementById('review-config');
  var saveButton = document.getElementById('save-config');
  var review = document.getElementById('config-review');
  var diffBox = document.getElementById('config-diff');

  var model = null;
  var structural = [];
  var fields = new Map();
  var problems = [];
  var checking = false;
  var reviewed = false;
  var sequence = 0;
  var timer = null;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function keyPath(path) {
    var out = '';
    path.forEach(function (segment) {
      if (typeof segment === 'number') out += '[' + segment + ']';
      else if (/^[A-Za-z0-9_-]+$/.test(segment)) out += out === '' ? segment : '.' + segment;
      else out += '[' + JSON.stringify(segment) + ']';
    });
    return out;
  }
  // The inverse of keyPath: 'a.b["x.y"][0]' -> ['a', 'b', 'x.y', 0]; null when it does not read back.
  function parseKeyPath(text) {
    var out = [];
    var pattern = /(?:^|\.)([A-Za-z0-9_-]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;
    var match;
    while (pattern.lastIndex < text.length && (match = pattern.exec(text)) !== null) {
      out.push(match[1] !== undefined ? match[1] : match[2] !== undefined ? Number(match[2]) : JSON.parse(match[3]));
    }
    return pattern.lastIndex === text.length && keyPath(out) === text ? out : null;
  }
  function under(path, prefix) {
    if (path.length < prefix.length) return false;
    for (var i = 0; i < prefix.length; i++) if (path[i] !== prefix[i]) return false;
    return true;
  }
  function edits() {
    var list = structural.slice();
    fields.forEach(function (edit) { list.push(edit); });
    return list;
  }
  function dropFieldsUnder(path) {
    fields.forEach(function (edit, key) { if (under(edit.path, path)) fields.delete(key); });
  }
  function request(method, url, body) {
    var init = { method: method, headers: { 'X-Airut-Request': '1' } };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (response) {
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    });
  }
  function showBanner(kind, message, withReload) {
    banner.hidden = false;
    banner.className = 'banner ' + kind;
    banner.textContent = message;
    if (withReload) {
      var button = el('button', '', 'Reload');
      button.type = 'button';
      button.id = 'reload-config';
      button.addEventListener('click', function () { load(); });
      banner.appendChild(document.createTextNode(' '));
      banner.appendChild(button);
    }
  }
  function hideBanner() {
    banner.hidden = true;
    banner.textContent = '';
  }

  function changed() {
    reviewed = false;
    review.hidden = true;
    diffBox.textContent = '';
    updateBar();
    if (timer) clearTimeout(timer);
    checking = true;
    updateBar();
    timer = setTimeout(validate, 250);
  }
  function updateBar() {
    var count = edits().length;
    var text = count === 0 ? 'No unsaved changes' : count + ' unsaved change' + (count === 1 ? '' : 's');
    if (checking) text += ' · checking…';
    else if (problems.length > 0) text += ' · ' + problems.length + ' problem' + (problems.length === 1 ? '' : 's') + ' to fix before saving';
    statusText.textContent = text;
    discardButton.disabled = count === 0;
    reviewButton.disabled = count === 0 || checking;
    saveButton.disabled = count === 0 || checking || problems.length > 0 || !reviewed;
    root.dataset.problems = String(problems.length);
    root.dataset.checking = checking ? 'yes' : 'no';
  }
  function validate() {
    timer = null;
    var mine = ++sequence;
    request('POST', '/api/config/validate', { baseHash: model.hash, edits: edits() }).then(function (answer) {
      if (mine !== sequence) return;
      checking = false;
      if (answer.status !== 200) {
        showProblems([{ keyPath: '', message: answer.data.message }]);
      } else {
        showProblems(answer.data.problems);
        if (answer.data.stale) showBanner('warning', 'The file changed on disk since you opened the editor; saving will be refused. Reload to start from the current file (unsaved changes are lost).', true);
      }
      updateBar();
    }).catch(function (error) {
      if (mine !== sequence) return;
      checking = false;
      showProblems([{ keyPath: '', message: 'Could not check the changes: ' + String(error) }]);
      updateBar();
    });
  }
  function showProblems(list) {
    problems = list;
    formRoot.querySelectorAll('.field-error').forEach(function (node) { node.textContent = ''; });
    formRoot.querySelectorAll('.invalid').forEach(function (node) { node.classList.remove('invalid'); });
    var items = problemBox.querySelector('ul');
    items.textContent = '';
    list.forEach(function (problem) {
      var item = el('li', '', (problem.keyPath ? problem.keyPath + ': ' : '') + problem.message);
      var segments = problem.keyPath ? parseKeyPath(problem.keyPath) : null;
      if (segments && /^unknown key/.test(problem.message)) {
        // The form has no field for a key the schema does not know; offer to drop it.
        var drop = el('button', 'remove', 'Remove this key');
        drop.type = 'button';
        drop.addEventListener('click', function () {
          fields.set(problem.keyPath, { op: 'delete', path: segments });
          changed();
        });
        item.appendChild(document.createTextNode(' '));
        item.appendChild(drop);
      }
      items.appendChild(item);
      var path = problem.keyPath;
      var target = null;
      for (;;) {
        target = formRoot.querySelector('[data-key-path="' + CSS.escape(path) + '"]');
        if (target !== null || path === '') break;
        var shorter = path.replace(/(\.[A-Za-z0-9_-]+|\[[^\]]*\])$/, '');
        path = shorter === path ? '' : shorter;
      }
      if (target === null) return;
      target.classList.add('invalid');
      for (var fold = target.closest('details'); fold; fold = fold.parentElement.closest('details')) fold.open = true;
      var slot = target.querySelector(':scope > .field-error');
      if (slot) slot.textContent = (slot.textContent ? slot.textContent + ' ' : '') + (path === problem.keyPath ? '' : problem.keyPath.slice(path.length).replace(/^\./, '') + ': ') + problem.message;
    });
    problemBox.hidden = list.length === 0;
  }

  function inputFor(node, path) {
    var value = node.value;
    var id = 'f-' + keyPath(path).replace(/[^A-Za-z0-9_-]/g, '_');
    var input;
    if (node.input === 'boolean' || node.input === 'enum') {
      input = el('select');
      var choices = node.input === 'boolean' ? ['true', 'false'] : node.options;
      var blank = el('option', '', node.default !== undefined ? '(default: ' + node.default + ')' : '(not set)');
      blank.value = '';
      input.appendChild(blank);
      choices.forEach(function (choice) {
        var option = el('option', '', choice);
        option.value = choice;
        input.appendChild(option);
      });
      if (value.state === 'reference') {
        var ref = el('option', '', value.text);
        ref.value = value.text;
        input.appendChild(ref);
      }
      input.value = value.text;
    } else if (node.input === 'lines' || node.input === 'yaml') {
      input = el('textarea');
      input.rows = node.input === 'lines' ? Math.max(2, (value.lines || []).length + 1) : 3;
      input.value = value.text;
      input.placeholder = node.input === 'lines' ? 'one per line' + (node.default !== undefined ? ' (default: ' + node.default + ')' : '') : 'YAML, e.g. [{workspace_members: true}]';
    } else {
      input = el('input');
      input.type = node.secret && value.state !== 'reference' ? 'password' : 'text';
      if (node.input === 'integer' || node.input === 'number') input.inputMode = 'decimal';
      input.autocomplete = 'off';
      input.spellcheck = false;
      if (value.state === 'masked') {
        input.value = '';
        input.placeholder = value.text + ' (stored; type to replace)';
      } else {
        input.value = value.text;
        if (node.default !== undefined) input.placeholder = node.default;
        else if (node.secret) input.placeholder = '!env NAME';
      }
    }
    input.id = id;
    input.disabled = node.readOnly;
    var edit = function () {
      var current = input.value;
      // A reference is not secret: show it while it is typed.
      if (node.secret && input.tagName === 'INPUT') input.type = current.trim().charAt(0) === '!' ? 'text' : 'password';
      var key = keyPath(path);
      var untouched = value.state === 'masked' ? current === '' : current === value.text;
      if (untouched) fields.delete(key);
      else if (current.trim() === '') {
        if (value.state === 'unset') fields.delete(key);
        else fields.set(key, { op: 'delete', path: path });
      } else if (node.input === 'lines') {
        fields.set(key, { op: 'set', path: path, value: current.split('\n').map(function (line) { return line.trim(); }).filter(function (line) { return line !== ''; }) });
      } else fields.set(key, { op: 'set', path: path, value: current });
      changed();
    };
    input.addEventListener(input.tagName === 'SELECT' ? 'change' : 'input', edit);
    return input;
  }

  function renderField(node, path, label) {
    var box = el('div', 'field' + (node.required ? ' required' : ''));
    box.dataset.keyPath = keyPath(path);
    var input = inputFor(node, path);
    var title = el('label', '', label);
    title.htmlFor = input.id;
    box.appendChild(title);
    box.appendChild(input);
    if (node.description) box.appendChild(el('p', 'help', node.description + (node.secret ? ' Write !env NAME to keep it in the environment; a stored value is never shown.' : '')));
    box.appendChild(el('p', 'field-error'));
    return box;
  }

  function renderChildren(node, path, into) {
    node.children.forEach(function (child) { into.appendChild(renderNode(child, path.concat([child.key]), child.key, false)); });
  }
  function hasValue(node) {
    if (node.kind === 'field') return node.value.state !== 'unset';
    if (node.kind === 'map') return node.entries.length > 0;
    return node.present && node.children.some(hasValue);
  }
  function button(cls, text, onClick) {
    var node = el('button', cls, text);
    node.type = 'button';
    node.addEventListener('click', function (event) {
      // Inside a <summary>, a click would also fold the section.
      event.preventDefault();
      onClick();
    });
    return node;
  }
  // Top-level sections and repos are always open; the many blocks inside a repo fold away until they hold something.
  function frame(node, path, label, open) {
    var collapsible = path.length >= 3;
    var box = el(collapsible ? 'details' : 'fieldset', (node.kind === 'map' ? 'map' : 'group') + ' depth-' + Math.min(path.length, 4));
    box.dataset.keyPath = keyPath(path);
    var head = el(collapsible ? 'summary' : 'legend');
    head.appendChild(el('span', 'title', label));
    box.appendChild(head);
    if (collapsible) box.open = open;
    if (node.description) box.appendChild(el('p', 'help', node.description));
    box.appendChild(el('p', 'field-error'));
    var body = el('div', 'body');
    box.appendChild(body);
    return { box: box, head: head, body: body };
  }

  function renderGroup(node, path, label, removable, fresh) {
    var present = node.present || structural.some(function (edit) { return edit.op === 'addObject' && keyPath(edit.path) === keyPath(path); });
    var parts = frame(node, path, label, fresh || hasValue(node));
    if (node.optional && !removable) {
      var add = button('add', 'Add ' + label, function () {
        structural.push({ op: 'addObject', path: path });
        show(true);
        changed();
      });
      var remove = button('remove', 'Remove ' + label, function () {
        dropFieldsUnder(path);
        structural.push({ op: 'delete', path: path });
        show(false);
        changed();
      });
      var show = function (on) {
        parts.body.textContent = '';
        if (on) renderChildren(node, path, parts.body);
        add.hidden = on;
        remove.hidden = !on;
        if (parts.box.tagName === 'DETAILS') parts.box.open = on;
      };
      parts.head.appendChild(add);
      parts.head.appendChild(remove);
      show(present);
    } else {
      renderChildren(node, path, parts.body);
    }
    return parts.box;
  }

  function renderMap(node, path, label) {
    var parts = frame(node, path, label, hasValue(node));
    var list = parts.body;
    var isRepos = path.length === 1 && path[0] === 'repos';
    var addEntry = function (entryNode, key, fresh) {
      var entryPath = path.concat([key]);
      var item = renderNode(entryNode, entryPath, key, true, fresh);
      item.classList.add('entry');
      var remove = button('remove', isRepos ? 'Remove repository ' + key : 'Remove ' + key, function () {
        if (isRepos && !confirm('Remove repository ' + key + ' from the configuration? Its conversations and state stay on disk.')) return;
        dropFieldsUnder(entryPath);
        structural.push(isRepos ? { op: 'removeRepo', id: key } : { op: 'delete', path: entryPath });
        item.remove();
        changed();
      });
      var head = item.querySelector(':scope > legend, :scope > summary, :scope > label');
      (head || item).appendChild(remove);
      list.appendChild(item);
      if (fresh) {
        if (isRepos) structural.push({ op: 'addRepo', id: key });
        else if (entryNode.kind !== 'field') structural.push({ op: 'addObject', path: entryPath });
        changed();
        var first = item.querySelector('input, select, textarea');
        if (first) first.focus();
      }
    };
    node.entries.forEach(function (entry) { addEntry(entry, entry.key, false); });
    if (node.entries.length === 0 && isRepos) list.appendChild(el('p', 'none', 'No repositories configured yet.'));
    var adder = el('div', 'add-entry');
    var keyInput = el('input');
    keyInput.type = 'text';
    keyInput.placeholder = isRepos ? 'new repo id, e.g. my-repo' : 'new key';
    keyInput.setAttribute('aria-label', isRepos ? 'New repository id' : 'New key for ' + label);
    var keyError = el('span', 'field-error');
    var addButton = button('add', isRepos ? 'Add repository' : 'Add', function () {
      var key = keyInput.value.trim();
      keyError.textContent = '';
      if (key === '') { keyError.textContent = 'Type a name first.'; return; }
      if (node.keyPattern && !new RegExp(node.keyPattern).test(key)) { keyError.textContent = 'Must be ' + (node.keyHint || 'a valid name') + '.'; return; }
      if (list.querySelector(':scope > [data-key-path="' + CSS.escape(keyPath(path.concat([key]))) + '"]')) { keyError.textContent = key + ' already exists.'; return; }
      var none = list.querySelector('.none');
      if (none) none.remove();
      keyInput.value = '';
      addEntry(node.template, key, true);
    });
    adder.appendChild(keyInput);
    adder.appendChild(addButton);
    adder.appendChild(keyError);
    parts.box.appendChild(adder);
    return parts.box;
  }

  function renderNode(node, path, label, removable, fresh) {
    if (node.kind === 'group') return renderGroup(node, path, label, removable, fresh);
    if (node.kind === 'map') return renderMap(node, path, label);
    return renderField(node, path, label);
  }

  function render() {
    formRoot.textContent = '';
    if (!model.form) {
      formRoot.appendChild(el('p', 'banner error', 'The file cannot be edited here until its YAML syntax is fixed by hand (see the problems above).'));
      return;
    }
    model.form.children.forEach(function (child) {
      formRoot.appendChild(renderNode(child, [child.key], child.key, false));
    });
  }

  function load() {
    structural = [];
    fields = new Map();
    reviewed = false;
    checking = false;
    review.hidden = true;
    hideBanner();
    return fetch('/api/config').then(function (response) { return response.json(); }).then(function (data) {
      model = data;
      root.dataset.hash = data.hash;
      document.getElementById('no-config').hidden = data.exists;
      document.getElementById('config-path').hidden = !data.exists;
      render();
      showProblems(data.problems);
      updateBar();
      root.dataset.ready = 'yes';
    }).catch(function (error) {
      showBanner('error', 'Could not load the configuration: ' + String(error), true);
    });
  }

  function showDiff(text) {
    diffBox.textContent = '';
    text.split('\n').forEach(function (line) {
      var cls = line.indexOf('@@') === 0 ? 'hunk' : line.indexOf('+++') === 0 || line.indexOf('---') === 0 ? 'file' : line[0] === '+' ? 'add' : line[0] === '-' ? 'del' : 'ctx';
      diffBox.appendChild(el('span', cls, line + '\n'));
    });
  }

  reviewButton.addEventListener('click', function () {
    reviewButton.disabled = true;
    request('POST', '/api/config/diff', { baseHash: model.hash, edits: edits() }).then(function (answer) {
      if (answer.status !== 200) { showBanner('error', answer.data.message, false); updateBar(); return; }
      showProblems(answer.data.problems);
      showDiff(answer.data.diff || '(no change to the file)');
      review.hidden = false;
      reviewed = true;
      if (answer.data.stale) showBanner('warning', 'The file changed on disk since you opened the editor; saving will be refused. Reload to start from the current file (unsaved changes are lost).', true);
      updateBar();
      review.scrollIntoView({ block: 'nearest' });
    });
  });

  saveButton.addEventListener('click', function () {
    saveButton.disabled = true;
    request('PUT', '/api/config', { baseHash: model.hash, edits: edits() }).then(function (answer) {
      if (answer.status === 200) {
        return load().then(function () {
          showBanner('success', 'Saved. airut serve applies the new configuration when it notices the change.', false);
          root.dataset.saved = answer.data.hash;
        });
      }
      if (answer.status === 409) showBanner('error', answer.data.message + '. ' + (answer.data.hint || ''), true);
      else if (answer.status === 422) {
        showProblems(answer.data.problems || []);
        showBanner('error', answer.data.message, false);
      } else showBanner('error', answer.data.message || ('Saving failed (' + answer.status + ')'), false);
      updateBar();
    });
  });

  discardButton.addEventListener('click', function () { load(); });
  // Enter in a field must not submit (and reload) the page.
  formRoot.addEventListener('submit', function (event) { event.preventDefault(); });

  load();
})();
`;
