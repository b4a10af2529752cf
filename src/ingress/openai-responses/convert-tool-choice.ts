/**
 * Responses `tool_choice` to the chat form, applied to the converted tools. `allowed_tools` keeps only the
 * listed tools in the request (the same effect on the model); a choice of a hosted tool cannot be honoured
 * because hosted tools are dropped, so it becomes `auto` with a warning.
 */
import type { FunctionTool, ToolChoice } from '../../core/chat-request.js';
import type { ConvertedTools } from './convert-tools.js';
import {
  describeValue,
  expectArray,
  expectObject,
  expectString,
  invalidField,
  type JsonObject,
} from './read-field.js';

/** The chat `tools` and `tool_choice` to send; both absent when no tool is left. */
export interface ChatToolSettings {
  tools?: FunctionTool[];
  toolChoice?: ToolChoice;
}

const modes = new Set(['none', 'auto', 'required']);

function namedChoice(names: Map<string, string>, choice: JsonObject, path: string, kind: string): ToolChoice {
  const name = expectString(choice.name, `${path}.name`);
  const encoded = names.get(name);
  if (encoded === undefined)
    throw invalidField(`${path}.name`, `no ${kind} tool named ${JSON.stringify(name)}`);
  return { type: 'function', function: { name: encoded } };
}

function allowedTools(converted: ConvertedTools, choice: JsonObject, warnings: string[]) {
  const mode = expectString(choice.mode, 'tool_choice.mode');
  if (mode !== 'auto' && mode !== 'required') {
    throw invalidField('tool_choice.mode', `must be "auto" or "required", got ${describeValue(mode)}`);
  }
  const keep = new Set<string>();
  for (const [index, entry] of expectArray(choice.tools, 'tool_choice.tools').entries()) {
    const path = `tool_choice.tools[${index}]`;
    const tool = expectObject(entry, path);
    const type = expectString(tool.type, `${path}.type`);
    const names =
      type === 'function' ? converted.functionNames : type === 'custom' ? converted.customNames : undefined;
    if (names === undefined) {
      warnings.push(`${path}: the hosted tool "${type}" cannot run through the router; ignored`);
      continue;
    }
    const encoded = names.get(expectString(tool.name, `${path}.name`));
    if (encoded !== undefined) keep.add(encoded);
  }
  return {
    mode: mode as 'auto' | 'required',
    tools: converted.tools.filter((tool) => keep.has(tool.function.name)),
  };
}

/** Converts `tool_choice` against the converted tools. Throws a 400 when malformed. */
export function convertToolChoice(
  value: unknown,
  converted: ConvertedTools,
  warnings: string[],
): ChatToolSettings {
  let tools = converted.tools;
  let toolChoice: ToolChoice | undefined;
  if (typeof value === 'string') {
    if (!modes.has(value)) {
      throw invalidField(
        'tool_choice',
        `must be "none", "auto", "required" or an object, got ${describeValue(value)}`,
      );
    }
    toolChoice = value as 'none' | 'auto' | 'required';
  } else if (value != null) {
    const choice = expectObject(value, 'tool_choice');
    const type = expectString(choice.type, 'tool_choice.type');
    switch (type) {
      case 'function':
        toolChoice = namedChoice(converted.functionNames, choice, 'tool_choice', 'function');
        break;
      case 'custom':
        toolChoice = namedChoice(converted.customNames, choice, 'tool_choice', 'custom');
        break;
      case 'allowed_tools': {
        const allowed = allowedTools(converted, choice, warnings);
        tools = allowed.tools;
        toolChoice = allowed.mode;
        break;
      }
      default:
        warnings.push(`tool_choice: the hosted tool "${type}" cannot run through the router; using "auto"`);
        toolChoice = 'auto';
    }
  }
  if (tools.length === 0) {
    // Chat upstreams refuse a tool choice without tools; with none left, the choice has nothing to act on.
    if (toolChoice !== undefined && toolChoice !== 'auto' && toolChoice !== 'none') {
      warnings.push('tool_choice: no tool is left to call (hosted tools are dropped); ignored');
    }
    return {};
  }
  const settings: ChatToolSettings = { tools };
  if (toolChoice !== undefined) settings.toolChoice = toolChoice;
  return settings;
}
