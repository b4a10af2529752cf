import { describe, expect, it } from 'vitest';
import { renderGeminiModelList } from './render-gemini-model-list.js';

describe('renderGeminiModelList', () => {
  it('lists models as the Gemini API does', () => {
    const body = renderGeminiModelList([
      {
        id: 'openrouter/pareto-code',
        displayName: 'Pareto Code router',
        contextLength: 200_000,
        maxOutputTokens: 64_000,
      },
      {
        id: 'anthropic/claude-sonnet-4.5',
        displayName: 'Claude Sonnet 4.5',
        contextLength: 1_000_000,
        maxOutputTokens: 64_000,
        description: 'Anthropic coding model',
        thinking: true,
      },
    ]);
    expect(JSON.parse(body)).toEqual({
      models: [
        {
          name: 'models/openrouter/pareto-code',
          baseModelId: 'openrouter/pareto-code',
          version: '001',
          displayName: 'Pareto Code router',
          description: 'Pareto Code router',
          inputTokenLimit: 200_000,
          outputTokenLimit: 64_000,
          supportedGenerationMethods: ['generateContent', 'streamGenerateContent', 'countTokens'],
        },
        {
          name: 'models/anthropic/claude-sonnet-4.5',
          baseModelId: 'anthropic/claude-sonnet-4.5',
          version: '001',
          displayName: 'Claude Sonnet 4.5',
          description: 'Anthropic coding model',
          inputTokenLimit: 1_000_000,
          outputTokenLimit: 64_000,
          supportedGenerationMethods: ['generateContent', 'streamGenerateContent', 'countTokens'],
          thinking: true,
        },
      ],
    });
  });

  it('renders an empty list', () => {
    expect(renderGeminiModelList([])).toBe('{"models":[]}');
  });
});
