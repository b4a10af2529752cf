import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FinishReason, StreamEvent } from '../core/chat-result.js';
import { ChunkRenderer, type ResponseIdentity } from './render-chat-response.js';

/**
 * The chunk as a whole object serialised in one go: what the renderer's spliced text must equal, byte for
 * byte (the renderer serialises the members before the delta once per stream).
 */
function wholeChunk(
  identity: ResponseIdentity,
  delta: Record<string, unknown>,
  finishReason: FinishReason | null,
  nativeFinishReason: string | null,
): string {
  return JSON.stringify({
    id: identity.id,
    provider: identity.provider,
    model: identity.model,
    object: 'chat.completion.chunk',
    created: identity.created,
    choices: [
      {
        index: 0,
        delta,
        finish_reason: finishReason,
        native_finish_reason: nativeFinishReason,
        logprobs: null,
      },
    ],
  });
}

const identity = fc.record({
  id: fc.string(),
  created: fc.integer({ min: 0, max: 2 ** 40 }),
  model: fc.string(),
  provider: fc.string(),
});

const event: fc.Arbitrary<StreamEvent> = fc.oneof(
  fc.record({ type: fc.constant('text-delta' as const), text: fc.string({ unit: 'binary' }) }),
  fc.record({ type: fc.constant('reasoning-delta' as const), text: fc.string() }),
  fc.record(
    {
      type: fc.constant('tool-call-delta' as const),
      index: fc.nat(8),
      id: fc.string(),
      name: fc.string(),
      argumentsDelta: fc.string(),
    },
    { requiredKeys: ['type', 'index', 'argumentsDelta'] },
  ),
  fc.record({
    type: fc.constant('finish' as const),
    finishReason: fc.constantFrom<FinishReason>('stop', 'length', 'tool_calls', 'content_filter', 'error'),
    nativeFinishReason: fc.option(fc.string(), { nil: null }),
  }),
);

describe('ChunkRenderer', () => {
  it('writes every chunk exactly as serialising the whole chunk would, across a change of model', () => {
    fc.assert(
      fc.property(
        identity,
        fc.array(fc.oneof(event, fc.record({ switchTo: fc.string(), provider: fc.string() })), {
          maxLength: 12,
        }),
        (start, steps) => {
          const renderer = new ChunkRenderer(start);
          let current = start;
          let roleSent = false;
          for (const step of steps) {
            if ('switchTo' in step) {
              renderer.setModel(step.switchTo, step.provider);
              current = { ...current, model: step.switchTo, provider: step.provider };
              continue;
            }
            const rendered = renderer.render(step) ?? '';
            // The delta as rendered (its content is the gateway tests' concern); the role only on the first.
            const delta = JSON.parse(rendered).choices[0].delta as Record<string, unknown>;
            expect(delta.role).toBe(roleSent ? undefined : 'assistant');
            roleSent = true;
            const expected =
              step.type === 'finish'
                ? wholeChunk(current, delta, step.finishReason, step.nativeFinishReason)
                : wholeChunk(current, delta, null, null);
            expect(rendered).toBe(expected);
          }
        },
      ),
    );
  });
});
