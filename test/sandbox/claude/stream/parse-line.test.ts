import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { parseStreamJsonLine, type ClaudeEvent } from '../../../../src/sandbox/claude/stream/index.js';

const fixtures = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'claude');

async function sample(name: string): Promise<{ lines: string[]; events: ClaudeEvent[] }> {
  const text = await readFile(join(fixtures, name), 'utf8');
  const lines = text.split('\n').filter((l) => l !== '');
  const events = lines.map((line) => {
    const event = parseStreamJsonLine(line);
    if (event === undefined) throw new Error(`sample line did not parse: ${line.slice(0, 80)}`);
    return event;
  });
  return { lines, events };
}

void t.test('the real text-turn sample parses into init, assistant text, result', async (t) => {
  const { lines, events } = await sample('claude-2.1.332-text-turn.jsonl');
  t.same(events.map((e) => e.type), ['system', 'assistant', 'result']);
  t.same(events.map((e) => e.raw), lines, 'each event keeps its line byte for byte');

  const [init, assistant, result] = events;
  t.hasStrict(init, {
    type: 'system',
    subtype: 'init',
    sessionId: '58ca827b-fa96-4ef2-93e8-c54b8cb2114c',
    model: 'claude-opus-5-5',
    cwd: '/workspace',
    claudeCodeVersion: '2.1.332',
  });
  t.ok(init?.type === 'system' && init.tools.includes('Bash'));

  t.hasStrict(assistant, {
    type: 'assistant',
    parentToolUseId: undefined,
    model: 'claude-opus-5-5',
    content: [{ type: 'text', text: 'Hello from the fake server.' }],
  });

  t.hasStrict(result, {
    type: 'result',
    subtype: 'success',
    isError: false,
    sessionId: '58ca827b-fa96-4ef2-93e8-c54b8cb2114c',
    resultText: 'Hello from the fake server.',
    durationMs: 125,
    numTurns: 1,
    totalCostUsd: 0.00014000000000000001,
    apiErrorStatus: undefined,
    errors: [],
    usage: {
      inputTokens: 10,
      outputTokens: 5,
      cacheCreationInputTokens: 0,
      cacheReadInputTokens: 0,
      webSearchRequests: 0,
      webFetchRequests: 0,
      extra: { service_tier: 'standard', server_tool_use: { web_search_requests: 0, web_fetch_requests: 0 } },
    },
  });
  t.ok(result?.type === 'result');
  if (result?.type === 'result') {
    t.same(result.errors, []);
    t.same(Object.keys(result.usage.extra).sort(), [
      'cache_creation', 'fallback_credit', 'inference_geo', 'iterations', 'output_tokens_details', 'server_tool_use', 'service_tier', 'speed',
    ], 'known usage keys are not repeated in extra');
  }
});

void t.test('the real Bash-tool sample parses into tool_use, tool_result and the final text', async (t) => {
  const { events } = await sample('claude-2.1.332-bash-tool-turn.jsonl');
  t.same(events.map((e) => e.type), ['system', 'assistant', 'user', 'assistant', 'result']);
  t.ok(events.every((e) => e.sessionId === '908e00fc-a40f-4a47-a438-6e1c9954149a'));
  t.hasStrict(events[0], { subtype: 'init', data: { permissionMode: 'bypassPermissions' } });
  t.hasStrict(events[1], {
    type: 'assistant',
    content: [{ type: 'tool_use', id: 'toolu_fake_1', name: 'Bash', input: { command: 'echo hi > /workspace/x.txt', description: 'write file' } }],
  });
  t.hasStrict(events[2], {
    type: 'user',
    parentToolUseId: undefined,
    content: [{ type: 'tool_result', toolUseId: 'toolu_fake_1', content: '(Bash completed with no output)', isError: false }],
  });
  t.hasStrict(events[3], { type: 'assistant', content: [{ type: 'text', text: 'Done: wrote the file.' }] });
  t.hasStrict(events[4], {
    type: 'result',
    resultText: 'Done: wrote the file.',
    numTurns: 2,
    durationMs: 237,
    totalCostUsd: 0.00058,
    usage: { inputTokens: 20, outputTokens: 25 },
  });
});

void t.test('blank and non-JSON lines give undefined', (t) => {
  t.equal(parseStreamJsonLine(''), undefined);
  t.equal(parseStreamJsonLine('   \r'), undefined);
  t.equal(parseStreamJsonLine('Updating certificates in /etc/ssl/certs...'), undefined);
  t.equal(parseStreamJsonLine('{"type":"assistant"'), undefined, 'a truncated event is not JSON');
  t.end();
});

void t.test('every JSON line becomes an event, unknown shapes included', (t) => {
  t.hasStrict(parseStreamJsonLine('{"type":"stream_event","event":{"x":1},"session_id":"s1"}'), {
    type: 'unknown',
    originalType: 'stream_event',
    sessionId: 's1',
    data: { event: { x: 1 } },
  });
  t.hasStrict(parseStreamJsonLine('{"no_type":true}'), { type: 'unknown', originalType: undefined });
  t.hasStrict(parseStreamJsonLine('{"type":7}'), { type: 'unknown', originalType: undefined });
  t.hasStrict(parseStreamJsonLine('42'), { type: 'unknown', originalType: undefined, data: { value: 42 }, raw: '42' });
  t.hasStrict(parseStreamJsonLine('[1,2]'), { type: 'unknown', data: { value: [1, 2] } });
  t.hasStrict(parseStreamJsonLine('  {"type":"x"}\r'), { raw: '{"type":"x"}' }, 'surrounding whitespace and CR are stripped');
  t.end();
});

void t.test('content blocks: thinking, unknown kinds, string content, malformed blocks', (t) => {
  const assistant = parseStreamJsonLine(JSON.stringify({
    type: 'assistant',
    parent_tool_use_id: 'toolu_parent',
    message: {
      content: [
        { type: 'thinking', thinking: 'hmm', signature: 'abc' },
        { type: 'redacted_thinking', data: 'xyz' },
        { type: 'text', text: 7 },
        { type: 'tool_use', id: 'toolu_2', input: {} },
        'stray',
        { type: 'tool_use', id: 'toolu_3', name: 'WebSearch', input: { query: 'q' } },
      ],
    },
  }));
  t.hasStrict(assistant, {
    type: 'assistant',
    parentToolUseId: 'toolu_parent',
    content: [
      { type: 'thinking', thinking: 'hmm' },
      { type: 'other', blockType: 'redacted_thinking', data: { data: 'xyz' } },
      { type: 'other', blockType: 'text' },
      { type: 'other', blockType: 'tool_use' },
      { type: 'other', blockType: undefined, data: 'stray' },
      { type: 'tool_use', id: 'toolu_3', name: 'WebSearch', input: { query: 'q' } },
    ],
  });
  t.equal(assistant?.type === 'assistant' ? assistant.content.length : -1, 6, 'no block is dropped');
  t.hasStrict(parseStreamJsonLine('{"type":"user","message":{"role":"user","content":"the prompt"}}'), {
    type: 'user',
    content: [{ type: 'text', text: 'the prompt' }],
  });
  t.hasStrict(parseStreamJsonLine('{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"t1","content":[{"type":"text","text":"out"}],"is_error":true}]}}'), {
    content: [{ type: 'tool_result', toolUseId: 't1', content: [{ type: 'text', text: 'out' }], isError: true }],
  });
  const bare = parseStreamJsonLine('{"type":"assistant"}');
  t.ok(bare?.type === 'assistant' && bare.content.length === 0 && bare.model === undefined, 'an assistant event without a message');
  t.end();
});

void t.test('result events: object-form result, errors, API status, wrong field types', (t) => {
  t.hasStrict(parseStreamJsonLine(JSON.stringify({
    type: 'result',
    subtype: 'success',
    result: { content: [{ type: 'text', text: 'one' }, { type: 'image' }, { type: 'text', text: 'two' }] },
  })), { resultText: 'one\n\ntwo' });
  t.hasStrict(parseStreamJsonLine(JSON.stringify({
    type: 'result',
    subtype: 'error_during_execution',
    is_error: true,
    errors: ['boom', 3, 'bang'],
    api_error_status: 400,
    duration_ms: 'soon',
    num_turns: null,
    total_cost_usd: Number.MAX_VALUE,
    usage: 'lots',
  })), {
    subtype: 'error_during_execution',
    isError: true,
    resultText: '',
    errors: ['boom', 'bang'],
    apiErrorStatus: 400,
    durationMs: 0,
    numTurns: 0,
    totalCostUsd: Number.MAX_VALUE,
    usage: { inputTokens: 0, outputTokens: 0 },
  });
  const noUsage = parseStreamJsonLine('{"type":"result","usage":"lots"}');
  t.ok(noUsage?.type === 'result' && Object.keys(noUsage.usage.extra).length === 0, 'a non-object usage has no extra keys');
  t.end();
});
