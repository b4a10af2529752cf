import { describe, expect, it } from 'vitest';
import { RouterError } from '../core/errors.js';
import { type ApiKeyRecord, defaultApiKeySettings } from '../store/api-key.js';
import { applyKeyPolicy } from './apply-key-policy.js';

function keyWith(settings: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return {
    ...defaultApiKeySettings,
    allowedModels: [],
    excludedModels: [],
    name: 'team',
    id: 'key_abcdefghijkl',
    hash: 'f'.repeat(64),
    prefix: 'abcdefgh',
    createdAt: 0,
    revokedAt: null,
    ...settings,
  };
}

function forbiddenBy(run: () => unknown): RouterError {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(RouterError);
  return thrown as RouterError;
}

describe('applyKeyPolicy', () => {
  it("fills in the key's default bar only when the request has none", () => {
    const key = keyWith({ defaultMinCodingScore: 0.6 });
    expect(applyKeyPolicy(key, {}, [])).toMatchObject({ minCodingScore: 0.6, scoreSource: 'key' });
    expect(applyKeyPolicy(key, { minCodingScore: 0.9 }, [])).toMatchObject({
      minCodingScore: 0.9,
      scoreSource: 'request',
      requestScoreIgnored: false,
    });
  });

  it("always uses the key's bar with preventOverrides", () => {
    const key = keyWith({ defaultMinCodingScore: 0.3, preventOverrides: true });
    expect(applyKeyPolicy(key, { minCodingScore: 0.95 }, [])).toMatchObject({
      minCodingScore: 0.3,
      scoreSource: 'key',
      requestScoreIgnored: true,
    });
  });

  it("leaves the router's default when neither names a bar", () => {
    expect(applyKeyPolicy(keyWith(), {}, [])).toMatchObject({
      minCodingScore: undefined,
      scoreSource: 'router_default',
      allowedModels: undefined,
      excludedModelsMatcher: undefined,
    });
  });

  it('lets a request narrow the allowed models but never widen them', () => {
    const key = keyWith({ allowedModels: ['anthropic/*', 'openai/gpt-5-mini'] });
    const narrowed = applyKeyPolicy(key, { allowedModels: ['*sonnet*', 'openai/*'] }, []);
    const allows = narrowed.allowedModels!;
    expect(allows('anthropic/claude-sonnet-4.5')).toBe(true);
    expect(allows('anthropic/claude-opus-4.1')).toBe(false);
    expect(allows('openai/gpt-5-mini')).toBe(true);
    expect(allows('openai/gpt-5')).toBe(false);
    expect(narrowed.allowedModelLists).toEqual([
      ['anthropic/*', 'openai/gpt-5-mini'],
      ['*sonnet*', 'openai/*'],
    ]);
    const widened = applyKeyPolicy(key, { allowedModels: ['google/*'] }, []);
    expect(widened.allowedModels!('google/gemini-2.5-pro')).toBe(false);
    expect(widened.allowedModels!('anthropic/claude-sonnet-4.5')).toBe(false);
  });

  it("adds the request's exclusions to the key's", () => {
    const key = keyWith({ excludedModels: ['x-ai/*'] });
    const effective = applyKeyPolicy(key, { excludedModels: ['openai/gpt-5', 'x-ai/*'] }, []);
    expect(effective.excludedModels).toEqual(['x-ai/*', 'openai/gpt-5']);
    expect(effective.excludedModelsMatcher!('x-ai/grok-code-fast-1')).toBe(true);
    expect(effective.excludedModelsMatcher!('openai/gpt-5')).toBe(true);
    expect(effective.excludedModelsMatcher!('openai/gpt-5-mini')).toBe(false);
  });

  it('refuses a concrete model the key excludes or does not allow, naming it', () => {
    const key = keyWith({
      allowedModels: ['anthropic/*', 'qwen/*'],
      excludedModels: ['anthropic/claude-opus-4.1'],
    });
    const excluded = forbiddenBy(() => applyKeyPolicy(key, {}, ['anthropic/claude-opus-4.1']));
    expect(excluded.code).toBe('forbidden_model');
    expect(excluded.status).toBe(403);
    expect(excluded.message).toBe('model "anthropic/claude-opus-4.1" is excluded for key key_abcdefghijkl');
    expect(excluded.metadata).toEqual({ model: 'anthropic/claude-opus-4.1' });
    const outside = forbiddenBy(() => applyKeyPolicy(key, {}, ['qwen/qwen3-coder', 'openai/gpt-5']));
    expect(outside.message).toBe('model "openai/gpt-5" is not in the allowed models of key key_abcdefghijkl');
    expect(applyKeyPolicy(key, {}, ['anthropic/claude-sonnet-4.5', 'qwen/qwen3-coder']).scoreSource).toBe(
      'router_default',
    );
  });

  it('sees through OpenRouter variant suffixes but keeps other colons', () => {
    const key = keyWith({
      allowedModels: ['openai/gpt-5', 'local/qwen2.5-coder:7b'],
      excludedModels: ['openai/gpt-5-mini'],
    });
    expect(() => applyKeyPolicy(key, {}, ['openai/gpt-5:nitro', 'local/qwen2.5-coder:7b'])).not.toThrow();
    expect(forbiddenBy(() => applyKeyPolicy(key, {}, ['openai/gpt-5-mini:floor'])).code).toBe(
      'forbidden_model',
    );
    expect(forbiddenBy(() => applyKeyPolicy(key, {}, ['local/qwen2.5-coder:32b'])).code).toBe(
      'forbidden_model',
    );
  });

  it('only applies the key lists to concrete models, not the request lists', () => {
    const key = keyWith();
    expect(() => applyKeyPolicy(key, { excludedModels: ['openai/gpt-5'] }, ['openai/gpt-5'])).not.toThrow();
  });
});
