/**
 * Anthropic `tools` and `tool_choice` converted to chat-completions function tools. Client tools (no
 * `type`, or `custom`) become functions whose `parameters` are the `input_schema`. Anthropic-defined tools
 * (`web_search_...`, `bash_...`, `text_editor_...`, `computer_...`, `code_execution_...`, MCP toolsets)
 * are run or shaped by Anthropic's servers, so they are dropped on the converted path with a warning.
 */
import type { FunctionTool, ToolChoice } from '../../core/chat-request.js';
import type { WarningList } from './create-warning-list.js';
import {
  describeValue,
  invalidRequest,
  readArray,
  readOptionalBoolean,
  readOptionalString,
  readRecord,
  readString,
} from './read-json-value.js';

/** The chat body fields that carry Anthropic's tools and tool choice. */
export interface ConvertedTools {
  tools?: FunctionTool[];
  tool_choice?: ToolChoice;
  parallel_tool_calls?: false;
}

function convertTool(value: unknown, path: string, warnings: WarningList): FunctionTool | undefined {
  const tool = readRecord(value, path);
  const type = readOptionalString(tool.type, `${path}.type`);
  if (type !== undefined && type !== 'custom') {
    const name = typeof tool.name === 'string' ? ` (${tool.name})` : '';
    warnings.add(
      path,
      `the Anthropic-defined tool ${type}${name} cannot run on other providers; dropped on the converted path`,
    );
    return undefined;
  }
  const name = readString(tool.name, `${path}.name`);
  if (name === '') throw invalidRequest(`${path}.name`, 'must not be empty');
  const converted: FunctionTool = {
    type: 'function',
    function: { name, parameters: readRecord(tool.input_schema, `${path}.input_schema`) },
  };
  const description = readOptionalString(tool.description, `${path}.description`);
  if (description !== undefined) converted.function.description = description;
  const strict = readOptionalBoolean(tool.strict, `${path}.strict`);
  if (strict !== undefined) converted.function.strict = strict;
  return converted;
}

function convertToolChoice(value: unknown): { choice: ToolChoice; forcesTool: boolean; serial: boolean } {
  const choice = readRecord(value, 'tool_choice');
  const serial = readOptionalBoolean(
    choice.disable_parallel_tool_use,
    'tool_choice.disable_parallel_tool_use',
  );
  const parallel = { serial: serial === true };
  switch (choice.type) {
    case 'auto':
      return { choice: 'auto', forcesTool: false, ...parallel };
    case 'any':
      return { choice: 'required', forcesTool: true, ...parallel };
    case 'tool': {
      const name = readString(choice.name, 'tool_choice.name');
      return { choice: { type: 'function', function: { name } }, forcesTool: true, ...parallel };
    }
    case 'none':
      return { choice: 'none', forcesTool: false, ...parallel };
    default:
      throw invalidRequest(
        'tool_choice.type',
        `expected "auto", "any", "tool" or "none", got ${describeValue(choice.type)}`,
      );
  }
}

/** Converts `tools` and `tool_choice`; absent fields stay absent. Throws a 400 RouterError when malformed. */
export function convertTools(tools: unknown, toolChoice: unknown, warnings: WarningList): ConvertedTools {
  const functions: FunctionTool[] = [];
  if (tools != null) {
    readArray(tools, 'tools').forEach((tool, index) => {
      const converted = convertTool(tool, `tools[${index}]`, warnings);
      if (converted !== undefined) functions.push(converted);
    });
  }
  const choice = toolChoice == null ? undefined : convertToolChoice(toolChoice);
  if (functions.length === 0) {
    // Chat upstreams refuse a tool_choice without tools.
    if (choice?.forcesTool === true) {
      warnings.add('tool_choice', 'forces a tool but no tool can be sent on the converted path; dropped');
    }
    return {};
  }
  const converted: ConvertedTools = { tools: functions };
  if (choice !== undefined) {
    converted.tool_choice = choice.choice;
    if (choice.serial) converted.parallel_tool_calls = false;
  }
  return converted;
}
