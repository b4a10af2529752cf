/** The router's models listed as the Gemini API's `GET /v1beta/models` answers. */

/** One model the router offers. */
export interface GeminiModelListEntry {
  id: string;
  displayName: string;
  contextLength: number;
  maxOutputTokens: number;
  description?: string;
  /** Whether the model can think (Gemini lists this for its own thinking models). */
  thinking?: boolean;
}

/** The methods every listed model answers. */
const supportedGenerationMethods = ['generateContent', 'streamGenerateContent', 'countTokens'];

/**
 * The ListModelsResponse body: `models/<id>` resource names, the token limits, and the methods. The router
 * keeps no versions of its entries, so every one is listed as Google lists a first version, `001`.
 */
export function renderGeminiModelList(models: readonly GeminiModelListEntry[]): string {
  return JSON.stringify({ models: models.map(renderGeminiModel) });
}

/** One model as the Gemini API's Model resource (also the body of `GET /v1beta/models/{model}`). */
export function renderGeminiModel(model: GeminiModelListEntry): Record<string, unknown> {
  const rendered: Record<string, unknown> = {
    name: `models/${model.id}`,
    baseModelId: model.id,
    version: '001',
    displayName: model.displayName,
    description: model.description ?? model.displayName,
    inputTokenLimit: model.contextLength,
    outputTokenLimit: model.maxOutputTokens,
    supportedGenerationMethods: [...supportedGenerationMethods],
  };
  if (model.thinking !== undefined) rendered.thinking = model.thinking;
  return rendered;
}
