/**
 * The dashboard's browser script, served as `/static/dashboard.js` (same
 * origin, so the CSP allows it; no build step). It only ever sets
 * `textContent`, never markup, so event data cannot inject HTML.
 */
export const DASHBOARD_JS = String.raw`'use strict';
(function () {
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function taskRow(task) {
    var row = el('tr', 'task ' + task.state);
    row.dataset.taskId = task.taskId;
    var idCell = el('td');
    var link = el('a', '', task.taskId);
    link.href = '/tasks/' + task.taskId;
    idCell.appendChild(link);
    row.appendChild(idCell);
    row.appendChild(el('td', '', task.repoId));
    var conversationCell = el('td', 'conversation');
    if (task.conversationId) {
      var conversationLink = el('a', '', task.conversationId);
      conversationLink.href = '/conversations/' + task.conversationId;
      conversationCell.appendChild(conversationLink);
    }
    row.appendChild(conversationCell);
    row.appendChild(el('td', 'state', task.state + (task.reason ? ' (' + task.reason + ')' : '')));
    row.appendChild(el('td', '', task.title));
    row.appendChild(el('td', '', task.sender));
    return row;
  }
  function overview(root) {
    var rows = document.getElementById('task-rows');
    var source = new EventSource('/api/events');
    source.addEventListener('open', function () { root.dataset.live = 'open'; });
    source.addEventListener('task', function (message) {
      var task = JSON.parse(message.data).task;
      var fresh = taskRow(task);
      var old = rows.querySelector('tr[data-task-id="' + task.taskId + '"]');
      if (old) rows.replaceChild(fresh, old); else rows.insertBefore(fresh, rows.firstChild);
      root.dataset.lastTask = task.taskId + ':' + task.state;
    });
    source.addEventListener('counts', function (message) {
      var counts = JSON.parse(message.data).counts;
      ['running', 'queued', 'completed', 'failed'].forEach(function (key) {
        var node = document.getElementById('count-' + key);
        if (node) node.textContent = String(counts[key]);
      });
    });
    source.addEventListener('reset', function () { location.reload(); });
  }
  function text(value) {
    if (typeof value === 'string') return value;
    if (Array.isArray(value)) return value.map(function (part) { return part && part.text !== undefined ? part.text : JSON.stringify(part); }).join('\n');
    return JSON.stringify(value);
  }
  function short(value, limit) {
    return value.length > limit ? value.slice(0, limit) + ' …' : value;
  }
  function taskPage(root) {
    var taskId = root.dataset.taskId;
    var transcript = document.getElementById('transcript');
    var network = document.getElementById('network');
    var todos = document.getElementById('todos');
    var blockedOnly = document.getElementById('blocked-only');
    var stop = document.getElementById('stop-task');
    var stopResult = document.getElementById('stop-result');
    function set(id, value) { document.getElementById(id).textContent = value; }
    function add(cls, label, body) {
      var item = el('li', cls);
      item.appendChild(el('span', 'label', label));
      item.appendChild(el('pre', 'body', body));
      transcript.appendChild(item);
    }
    function showTodos(list) {
      todos.textContent = '';
      list.forEach(function (todo) {
        todos.appendChild(el('li', 'todo ' + todo.status, (todo.status === 'completed' ? '☑ ' : todo.status === 'in_progress' ? '▶ ' : '☐ ') + (todo.content || todo.activeForm || '')));
      });
    }
    function claude(event) {
      (event.content || []).forEach(function (block) {
        if (block.type === 'text' && event.type === 'assistant') add('assistant', 'Claude', block.text);
        else if (block.type === 'tool_use') {
          if (block.name === 'TodoWrite' && block.input && Array.isArray(block.input.todos)) showTodos(block.input.todos);
          add('tool-call', 'Tool: ' + block.name, short(JSON.stringify(block.input, null, 2), 2000));
        } else if (block.type === 'tool_result') add(block.isError ? 'tool-result error' : 'tool-result', 'Result', short(text(block.content), 2000));
      });
    }
    function finished(result) {
      // A stop is reported by the sandbox as container_failed with stopped set; say what happened.
      set('task-outcome', result.stopped ? 'stopped' : result.outcome);
      set('task-duration', (result.durationMs / 1000).toFixed(1) + ' s');
      set('task-turns', String(result.numTurns));
      set('task-tokens', result.usage.inputTokens + ' in / ' + result.usage.outputTokens + ' out');
      set('task-cost', '$' + result.costUsd.toFixed(4));
    }
    function networkLine(line) {
      var blocked = line.kind === 'BLOCKED';
      var item = el('li', 'net ' + line.kind.toLowerCase(), line.line);
      if (blocked) item.appendChild(el('p', 'hint', 'To allow this, add the host to .airut/network-allowlist.yaml in the repository.'));
      network.appendChild(item);
    }
    blockedOnly.addEventListener('change', function () {
      network.classList.toggle('blocked-only', blockedOnly.checked);
    });
    stop.addEventListener('click', function () {
      stop.disabled = true;
      fetch('/api/tasks/' + taskId + '/stop', { method: 'POST', headers: { 'X-Airut-Request': '1' } })
        .then(function (response) { return response.json(); })
        .then(function (body) { stopResult.textContent = body.result === 'stopping' ? 'Stopping…' : body.message; })
        .catch(function (error) { stopResult.textContent = String(error); });
    });
    if (root.dataset.source === 'record') {
      // A finished task: its run as recorded on disk, through the same renderers.
      fetch('/api/tasks/' + taskId + '/record')
        .then(function (response) { return response.json(); })
        .then(function (record) {
          (record.events || []).forEach(function (event) { if (event.type === 'assistant' || event.type === 'user') claude(event); });
          (record.network || []).forEach(networkLine);
          if (record.reply) {
            var reply = record.reply;
            finished({ outcome: record.task.reason || record.task.state, durationMs: reply.durationMs, numTurns: reply.numTurns, costUsd: reply.costUsd,
              usage: { inputTokens: reply.usage.input_tokens || 0, outputTokens: reply.usage.output_tokens || 0 } });
            set('reply-text', reply.responseText);
          }
          root.dataset.loaded = 'record';
        })
        .catch(function (error) { add('warning', 'Warning', 'Could not load the recorded run: ' + String(error)); });
      return;
    }
    var source = new EventSource('/api/events?task=' + encodeURIComponent(taskId) + '&lastEventId=0');
    source.addEventListener('open', function () { root.dataset.live = 'open'; });
    source.addEventListener('task', function (message) {
      var task = JSON.parse(message.data).task;
      var node = document.getElementById('task-state');
      node.textContent = task.state + (task.reason ? ' (' + task.reason + ')' : '');
      node.className = task.state;
      if (task.startedAt) set('task-started', task.startedAt);
      if (task.finishedAt) set('task-finished', task.finishedAt);
      if (task.state === 'completed' || task.state === 'failed') {
        stop.disabled = true;
        if (task.reason === 'stopped') stopResult.textContent = 'Stopped.';
        // The reply is recorded before the task ends: show what the user was sent.
        fetch('/api/tasks/' + taskId + '/record')
          .then(function (response) { return response.json(); })
          .then(function (record) { if (record.reply) set('reply-text', record.reply.responseText); })
          .catch(function () { /* the page still shows the run; only the reply text is missing */ });
      }
      root.dataset.state = task.state;
    });
    source.addEventListener('run', function (message) {
      var run = JSON.parse(message.data).event;
      if (run.type === 'claude') claude(run.event);
      else if (run.type === 'network' && run.event.event === 'log') networkLine(run.event);
      else if (run.type === 'finished') finished(run.result);
      else if (run.type === 'warning') add('warning', 'Warning', run.message);
    });
  }
  var overviewRoot = document.querySelector('[data-page="overview"]');
  if (overviewRoot) overview(overviewRoot);
  var taskRoot = document.querySelector('[data-page="task"]');
  if (taskRoot) taskPage(taskRoot);
})();
`;
