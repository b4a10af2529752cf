/** Chat tools and tool_choice converted to Gemini's `tools` and `toolConfig`. */
import type { ChatRequest } from '../../core/chat-request.js';
import { RouterError } from '../../core/errors.js';
import { convertToolSchema } from './convert-tool-schema.js';
import type {
  GeminiFunctionDeclaration,
  GeminiGenerateContentRequest,
  GeminiToolConfig,
} from './gemini-request-types.js';

export type ConvertedTools = Pick<GeminiGenerateContentRequest, 'tools' | 'toolConfig'>;

/**
 * Converts function tools to one Gemini tool holding all function declarations, and `tool_choice` to a
 * function-calling mode. Schema keys Gemini rejects are dropped with a warning.
 */
export function convertTools(request: ChatRequest, warnings: string[]): ConvertedTools {
  const declarations: GeminiFunctionDeclaration[] = [];
  for (const [index, tool] of (request.tools ?? []).entries()) {
    const location = `tools[${index}]`;
    if (tool.type !== 'function' || typeof tool.function?.name !== 'string') {
      warnings.push(`${location}: only function tools are supported by Gemini; dropped`);
      continue;
    }
    const { name, description, parameters, strict } = tool.function;
    const declaration: GeminiFunctionDeclaration = { name };
    if (description !== undefined) declaration.description = description;
    const converted = convertToolSchema(parameters);
    if (converted.schema !== undefined) declaration.parameters = converted.schema;
    if (converted.droppedKeys.length > 0) {
      warnings.push(
        `${location} "${name}": schema keys Gemini does not accept were dropped: ${converted.droppedKeys.join(', ')}`,
      );
    }
    if (strict === true)
      warnings.push(`${location} "${name}": strict schema adherence is not supported by Gemini; ignored`);
    declarations.push(declaration);
  }

  const converted: ConvertedTools = {};
  if (declarations.length > 0) converted.tools = [{ functionDeclarations: declarations }];
  const toolConfig = convertToolChoice(request, declarations);
  if (toolConfig !== undefined) converted.toolConfig = toolConfig;
  if (request.parallel_tool_calls === false) {
    warnings.push(
      'parallel_tool_calls: false is not supported by Gemini; the model may still call several tools',
    );
  }
  return converted;
}

function convertToolChoice(
  request: ChatRequest,
  declarations: GeminiFunctionDeclaration[],
): GeminiToolConfig | undefined {
  const choice = request.tool_choice;
  if (choice === undefined) return undefined;
  if (declarations.length === 0) {
    // Without tools there is nothing to choose from; `none` and `auto` already mean that.
    if (choice === 'none' || choice === 'auto') return undefined;
    throw new RouterError(
      'invalid_request',
      'tool_choice requires a tool, but the request has no function tools',
    );
  }
  if (typeof choice === 'object') {
    const name = choice.function?.name;
    if (!declarations.some((declaration) => declaration.name === name)) {
      throw new RouterError(
        'invalid_request',
        `tool_choice names the function "${String(name)}", which is not among the tools`,
      );
    }
    return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [name] } };
  }
  switch (choice) {
    case 'auto':
      return { functionCallingConfig: { mode: 'AUTO' } };
    case 'required':
      return { functionCallingConfig: { mode: 'ANY' } };
    case 'none':
      return { functionCallingConfig: { mode: 'NONE' } };
    default: {
      const unknownChoice: never = choice;
      throw new RouterError('invalid_request', `unknown tool_choice ${JSON.stringify(unknownChoice)}`);
    }
  }
}
