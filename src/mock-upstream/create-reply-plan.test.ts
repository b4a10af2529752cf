import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createReplyPlan,
  type PromptSummary,
  sampleFromSchema,
  splitIntoChunks,
} from './create-reply-plan.js';
import { pickCannedAnswer } from './pick-canned-answer.js';

function prompt(overrides: Partial<PromptSummary> = {}): PromptSummary {
  return {
    model: 'm',
    stream: false,
    includeUsage: false,
    maxTokens: undefined,
    promptCharacters: 40,
    lastUserText: 'Write a Python function',
    endsWithUser: true,
    tools: [],
    toolsAllowed: true,
    ...overrides,
  };
}

describe('splitIntoChunks', () => {
  it('loses nothing, whatever the text and the count', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.option(fc.integer({ min: 1, max: 50 }), { nil: undefined }),
        (text, count) => {
          expect(splitIntoChunks(text, count).join('')).toBe(text);
        },
      ),
    );
  });

  it('splits by words by default and into the asked count otherwise', () => {
    expect(splitIntoChunks('one two  three\n', undefined)).toEqual(['one ', 'two  ', 'three\n']);
    expect(splitIntoChunks('abcdefghij', 3)).toHaveLength(3);
    expect(splitIntoChunks('', 3)).toEqual([]);
  });

  it('never splits a surrogate pair', () => {
    const pieces = splitIntoChunks('😀😀😀', 6);
    expect(pieces.length).toBeGreaterThan(1);
    for (const piece of pieces)
      expect(piece).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  });
});

describe('createReplyPlan', () => {
  it('answers with a canned coding answer chosen from the prompt', () => {
    const plan = createReplyPlan({}, prompt());
    expect(plan.text).toBe(pickCannedAnswer('Write a Python function'));
    expect(plan.text).toContain('```python');
    expect(plan.finish).toBe('stop');
    expect(plan.usage.promptTokens).toBe(10);
    expect(plan.usage.completionTokens).toBe(Math.ceil(plan.text.length / 4));
  });

  it('cuts the answer at max_tokens and says so', () => {
    const plan = createReplyPlan({ answer: 'x'.repeat(100) }, prompt({ maxTokens: 5 }));
    expect(plan.text).toBe('x'.repeat(20));
    expect(plan.finish).toBe('length');
    expect(plan.usage.completionTokens).toBe(5);
  });

  it('counts reasoning inside the cap and the completion', () => {
    const plan = createReplyPlan(
      { answer: 'a'.repeat(40), reasoning: 'r'.repeat(20) },
      prompt({ maxTokens: 8 }),
    );
    expect(plan.reasoningText).toHaveLength(20);
    expect(plan.text).toHaveLength(12);
    expect(plan.usage.reasoningTokens).toBe(5);
    expect(plan.usage.completionTokens).toBe(8);
  });

  it('takes usage overrides as given', () => {
    const plan = createReplyPlan(
      {
        usage: {
          promptTokens: 1000,
          completionTokens: 50,
          cachedTokens: 600,
          cacheWriteTokens: 100,
          reasoningTokens: 9,
        },
      },
      prompt(),
    );
    expect(plan.usage).toEqual({
      promptTokens: 1000,
      completionTokens: 50,
      cachedTokens: 600,
      cacheWriteTokens: 100,
      reasoningTokens: 9,
    });
  });

  it('calls the first tool when the user asked and tools are offered', () => {
    const tools = [
      {
        name: 'read_file',
        parameters: {
          type: 'object',
          properties: { path: { type: 'string' }, lines: { type: 'integer' }, mode: { enum: ['r', 'w'] } },
          required: ['path', 'mode'],
        },
      },
    ];
    const plan = createReplyPlan({}, prompt({ tools }));
    expect(plan.finish).toBe('tool_calls');
    expect(plan.text).toBe('');
    expect(plan.toolCall?.name).toBe('read_file');
    expect(JSON.parse(plan.toolCall!.argumentsText)).toEqual({ path: 'example', mode: 'r' });
    expect(plan.toolCall!.argumentPieces.join('')).toBe(plan.toolCall!.argumentsText);
    expect(createReplyPlan({}, prompt({ tools, endsWithUser: false })).toolCall).toBeUndefined();
    expect(createReplyPlan({}, prompt({ tools, toolsAllowed: false })).toolCall).toBeUndefined();
    expect(createReplyPlan({ toolCall: false }, prompt({ tools })).toolCall).toBeUndefined();
  });

  it('uses a scripted tool call, even with broken arguments', () => {
    const plan = createReplyPlan({ toolCall: { name: 'run', arguments: '{"cmd": ' } }, prompt());
    expect(plan.toolCall).toMatchObject({ name: 'run', argumentsText: '{"cmd": ', argumentsValue: {} });
  });
});

describe('sampleFromSchema', () => {
  it('fills nested required properties with neutral values', () => {
    const schema = {
      type: 'object',
      properties: {
        options: { type: 'object', properties: { force: { type: 'boolean' } }, required: ['force'] },
        count: { type: 'number', minimum: 3 },
        tags: { type: 'array' },
      },
      required: ['options', 'count', 'tags'],
    };
    expect(sampleFromSchema(schema, 4)).toEqual({ options: { force: true }, count: 3, tags: [] });
    expect(sampleFromSchema(undefined, 4)).toEqual({});
  });
});
