/** Gemini `tools` and `toolConfig` converted to chat `tools` and `tool_choice`. */
import type { FunctionTool, ToolChoice } from '../../core/chat-request.js';
import { convertGeminiSchema } from './convert-gemini-schema.js';
import {
  describeValue,
  invalidField,
  requireArray,
  requireRecord,
  requireString,
  requireStringArray,
} from './json-checks.js';

/** The chat `tools` and `tool_choice` of a request; undefined where it sets none. */
export interface ConvertedTools {
  tools: FunctionTool[] | undefined;
  toolChoice: ToolChoice | undefined;
}

/**
 * Converts function declarations to function tools (`parameters` from Gemini's Schema, or
 * `parametersJsonSchema` as it is) and the function-calling mode to a tool choice. Gemini's built-in tools
 * (googleSearch, codeExecution, urlContext...) run inside Gemini only: dropped with a warning.
 */
export function convertTools(
  toolsValue: unknown,
  toolConfigValue: unknown,
  warnings: string[],
): ConvertedTools {
  const tools: FunctionTool[] = [];
  if (toolsValue != null) {
    for (const [index, item] of requireArray(toolsValue, 'tools').entries()) {
      const path = `tools[${index}]`;
      const tool = requireRecord(item, path);
      for (const [key, value] of Object.entries(tool)) {
        if (value == null) continue;
        if (key === 'functionDeclarations') {
          for (const [position, declaration] of requireArray(value, `${path}.${key}`).entries()) {
            tools.push(convertDeclaration(declaration, `${path}.${key}[${position}]`, warnings));
          }
        } else {
          warnings.push(`${path}.${key}: Gemini's built-in tools run only on Gemini; dropped`);
        }
      }
    }
  }
  const names = new Set<string>();
  for (const tool of tools) {
    if (names.has(tool.function.name)) {
      throw invalidField(
        'tools',
        `function ${JSON.stringify(tool.function.name)} is declared more than once`,
      );
    }
    names.add(tool.function.name);
  }
  return {
    tools: tools.length === 0 ? undefined : tools,
    toolChoice: convertToolConfig(toolConfigValue, names, warnings),
  };
}

function convertDeclaration(value: unknown, path: string, warnings: string[]): FunctionTool {
  const declaration = requireRecord(value, path);
  const name = requireString(declaration.name, `${path}.name`);
  if (name === '') throw invalidField(`${path}.name`, 'must not be empty');
  const tool: FunctionTool = { type: 'function', function: { name } };
  if (declaration.description != null) {
    tool.function.description = requireString(declaration.description, `${path}.description`);
  }
  if (declaration.parameters != null && declaration.parametersJsonSchema != null) {
    throw invalidField(path, 'parameters and parametersJsonSchema are mutually exclusive; send one');
  }
  if (declaration.parameters != null) {
    tool.function.parameters = convertGeminiSchema(declaration.parameters, `${path}.parameters`);
  } else if (declaration.parametersJsonSchema != null) {
    tool.function.parameters = requireRecord(
      declaration.parametersJsonSchema,
      `${path}.parametersJsonSchema`,
    );
  }
  for (const key of ['response', 'responseJsonSchema', 'behavior']) {
    if (declaration[key] != null) warnings.push(`${path}.${key}: has no canonical form; ignored`);
  }
  return tool;
}

function convertToolConfig(value: unknown, names: Set<string>, warnings: string[]): ToolChoice | undefined {
  if (value == null) return undefined;
  const toolConfig = requireRecord(value, 'toolConfig');
  for (const key of Object.keys(toolConfig)) {
    if (key !== 'functionCallingConfig' && toolConfig[key] != null) {
      warnings.push(`toolConfig.${key}: has no canonical form; ignored`);
    }
  }
  if (toolConfig.functionCallingConfig == null) return undefined;
  const path = 'toolConfig.functionCallingConfig';
  const config = requireRecord(toolConfig.functionCallingConfig, path);
  const mode = config.mode == null ? 'MODE_UNSPECIFIED' : requireString(config.mode, `${path}.mode`);
  const allowed =
    config.allowedFunctionNames == null
      ? []
      : requireStringArray(config.allowedFunctionNames, `${path}.allowedFunctionNames`);
  for (const [index, name] of allowed.entries()) {
    if (!names.has(name)) {
      throw invalidField(
        `${path}.allowedFunctionNames[${index}]`,
        `${JSON.stringify(name)} is not among the declared functions`,
      );
    }
  }
  if (allowed.length > 0 && mode !== 'ANY') {
    warnings.push(`${path}.allowedFunctionNames: only applies with mode ANY; ignored with ${mode}`);
  }
  switch (mode) {
    case 'MODE_UNSPECIFIED':
      return undefined;
    case 'AUTO':
      return names.size === 0 ? undefined : 'auto';
    case 'NONE':
      return names.size === 0 ? undefined : 'none';
    case 'VALIDATED':
      warnings.push(`${path}.mode: VALIDATED has no canonical form; sent as auto`);
      return names.size === 0 ? undefined : 'auto';
    case 'ANY': {
      if (names.size === 0) {
        warnings.push(`${path}.mode: ANY without function declarations has nothing to call; ignored`);
        return undefined;
      }
      const [only] = allowed;
      if (only !== undefined && allowed.length === 1) return { type: 'function', function: { name: only } };
      if (allowed.length > 1) {
        warnings.push(
          `${path}.allowedFunctionNames: the canonical form forces one function or any; sent as any of all ${names.size}`,
        );
      }
      return 'required';
    }
    default:
      throw invalidField(`${path}.mode`, `expected AUTO, ANY, NONE or VALIDATED, got ${describeValue(mode)}`);
  }
}
