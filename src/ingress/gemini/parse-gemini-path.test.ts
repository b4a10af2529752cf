import { describe, expect, it } from 'vitest';
import { parseGeminiPath } from './parse-gemini-path.js';

describe('parseGeminiPath', () => {
  it('splits the model from the method at the last colon', () => {
    expect(parseGeminiPath('/v1beta/models/gemini-2.5-flash:generateContent')).toEqual({
      model: 'gemini-2.5-flash',
      method: 'generateContent',
    });
    expect(
      parseGeminiPath('/v1beta/models/openrouter/pareto-code@0.5:nitro:streamGenerateContent?alt=sse'),
    ).toEqual({ model: 'openrouter/pareto-code@0.5:nitro', method: 'streamGenerateContent' });
    expect(parseGeminiPath('/v1beta/models/pareto-code@balanced:countTokens')).toEqual({
      model: 'pareto-code@balanced',
      method: 'countTokens',
    });
  });

  it('URL-decodes the model', () => {
    expect(parseGeminiPath('/v1beta/models/openrouter%2Fpareto-code%400.8%3Anitro:generateContent')).toEqual({
      model: 'openrouter/pareto-code@0.8:nitro',
      method: 'generateContent',
    });
  });

  it('accepts v1, v1alpha and an /api prefix', () => {
    expect(parseGeminiPath('/v1/models/m:generateContent')).toEqual({
      model: 'm',
      method: 'generateContent',
    });
    expect(parseGeminiPath('/v1alpha/models/m:countTokens')).toEqual({ model: 'm', method: 'countTokens' });
    expect(parseGeminiPath('/api/v1beta/models/m:streamGenerateContent')).toEqual({
      model: 'm',
      method: 'streamGenerateContent',
    });
  });

  it('is null for anything else', () => {
    expect(parseGeminiPath('/v1beta/models/m:embedContent')).toBeNull();
    expect(parseGeminiPath('/v1beta/models/m')).toBeNull();
    expect(parseGeminiPath('/v1beta/models')).toBeNull();
    expect(parseGeminiPath('/v1beta/models/:generateContent')).toBeNull();
    expect(parseGeminiPath('/v2/models/m:generateContent')).toBeNull();
    expect(parseGeminiPath('/v1beta/tunedModels/m:generateContent')).toBeNull();
    expect(parseGeminiPath('/v1beta/models/%E0%A4%A:generateContent')).toBeNull();
    expect(parseGeminiPath('/v1beta/models/a/../b:generateContent')).toBeNull();
    expect(parseGeminiPath('/v1beta/models/m:generateContent/')).toBeNull();
  });
});
