#!/usr/bin/env node
/**
 * Microseconds per call of the chat-completions body check: the zod schema against its compiled JSON
 * Schema twin (ajv), on a small coding-agent body and on a long conversation with tools. Run after
 * `npm run build`:  node bench/measure-validation.js
 */
import { performance } from 'node:perf_hooks';
import { isValidChatBody } from '../dist/server/chat-body-validator.js';
import { bodySchema } from '../dist/server/parse-chat-request.js';

const small = {
  model: 'pareto-code',
  messages: [{ role: 'user', content: 'Write a Python function that adds two numbers.' }],
  max_tokens: 256,
  plugins: [{ id: 'pareto-router', min_coding_score: 0.8 }],
};

function longConversation(turns) {
  const messages = [{ role: 'system', content: 'You are a coding agent.' }];
  for (let turn = 0; turn < turns; turn += 1) {
    messages.push({ role: 'user', content: [{ type: 'text', text: `step ${turn}: run the tests` }] });
    messages.push({
      role: 'assistant',
      content: null,
      tool_calls: [
        { id: `call_${turn}`, type: 'function', function: { name: 'bash', arguments: '{"cmd":"npm test"}' } },
      ],
    });
    messages.push({ role: 'tool', tool_call_id: `call_${turn}`, content: 'ok '.repeat(50) });
  }
  return {
    model: 'pareto-code',
    stream: true,
    messages,
    tools: [{ type: 'function', function: { name: 'bash', parameters: { type: 'object' } } }],
    tool_choice: 'auto',
  };
}

function measure(label, check, body) {
  const rounds = 5;
  const calls = 20_000;
  for (let index = 0; index < calls; index += 1) check(body);
  const results = [];
  for (let round = 0; round < rounds; round += 1) {
    const started = performance.now();
    for (let index = 0; index < calls; index += 1) check(body);
    results.push(((performance.now() - started) * 1000) / calls);
  }
  results.sort((a, b) => a - b);
  return { label, microsecondsPerCall: Number(results[Math.floor(rounds / 2)].toFixed(2)) };
}

const bodies = { small, 'agent, 40 turns': longConversation(40) };
const rows = [];
for (const [name, body] of Object.entries(bodies)) {
  if (!isValidChatBody(body) || !bodySchema.safeParse(body).success) throw new Error(`${name} must be valid`);
  rows.push({ body: name, ...measure('zod safeParse', (value) => bodySchema.safeParse(value), body) });
  rows.push({ body: name, ...measure('ajv compiled', isValidChatBody, body) });
}
console.table(rows);
