/**
 * Responses `tools` to chat function tools. Function tools map one to one; namespaces are flattened; a
 * free-form `custom` tool becomes a function taking one string, `input`; `local_shell` becomes a function
 * taking the command. Hosted tools (web search, file search, code interpreter, MCP...) run on OpenAI's side,
 * which no upstream here has: each is dropped with a warning, never a failure.
 */
import type { FunctionTool } from '../../core/chat-request.js';
import { encodeToolName, isReversible, type ToolIdentity } from './encode-tool-name.js';
import {
  describeValue,
  expectArray,
  expectObject,
  expectString,
  invalidField,
  type JsonObject,
  optionalBoolean,
  optionalString,
} from './read-field.js';

/** The chat tools, and the chat names of the function and custom tools for `tool_choice`. */
export interface ConvertedTools {
  tools: FunctionTool[];
  functionNames: Map<string, string>;
  customNames: Map<string, string>;
}

// The freeform input the model writes for a custom tool; Codex's JSON variant of apply_patch uses the same.
const customInputSchema = (description: string) => ({
  type: 'object',
  properties: { input: { type: 'string', description } },
  required: ['input'],
  additionalProperties: false,
});

const localShellTool = {
  description: 'Runs a command on the local machine and returns its output.',
  parameters: {
    type: 'object',
    properties: {
      command: {
        type: 'array',
        items: { type: 'string' },
        description: 'The program and its arguments, one array element each.',
      },
      workdir: { type: 'string', description: 'The working directory to run the command in.' },
      timeout_ms: { type: 'integer', description: 'How long the command may run, in milliseconds.' },
    },
    required: ['command'],
    additionalProperties: false,
  },
};

class ToolList {
  readonly converted: ConvertedTools = { tools: [], functionNames: new Map(), customNames: new Map() };
  readonly #seen = new Set<string>();

  add(identity: ToolIdentity, path: string, fn: FunctionTool['function']): void {
    const name = encodeToolName(identity);
    if (!isReversible(identity, name)) {
      throw invalidField(
        `${path}.name`,
        `${JSON.stringify(name)} reads back as another kind of tool once flattened for the upstream ` +
          '(the router reserves "--" in tool names); rename the tool',
      );
    }
    if (this.#seen.has(name)) {
      throw invalidField(`${path}.name`, `a second tool named ${JSON.stringify(name)}`);
    }
    this.#seen.add(name);
    this.converted.tools.push({ type: 'function', function: { ...fn, name } });
    if (identity.kind === 'function') setFirst(this.converted.functionNames, identity.name, name);
    if (identity.kind === 'custom') setFirst(this.converted.customNames, identity.name, name);
  }
}

function setFirst(map: Map<string, string>, key: string, value: string): void {
  if (!map.has(key)) map.set(key, value);
}

function toolName(tool: JsonObject, path: string): string {
  const name = expectString(tool.name, `${path}.name`);
  if (name === '') throw invalidField(`${path}.name`, 'must not be empty');
  return name;
}

function addFunction(list: ToolList, tool: JsonObject, path: string, namespace?: JsonObject): void {
  const name = toolName(tool, path);
  const fn: FunctionTool['function'] = { name };
  const description = joinDescriptions(namespace, optionalString(tool, 'description', `${path}.`));
  if (description !== undefined) fn.description = description;
  const parameters = tool.parameters;
  if (parameters != null) fn.parameters = expectObject(parameters, `${path}.parameters`);
  const strict = optionalBoolean(tool, 'strict', `${path}.`);
  if (strict !== undefined) fn.strict = strict;
  list.add(withNamespace({ kind: 'function', name }, namespace), path, fn);
}

function addCustom(
  list: ToolList,
  tool: JsonObject,
  path: string,
  warnings: string[],
  namespace?: JsonObject,
): void {
  const name = toolName(tool, path);
  let inputDescription = 'The input, as free-form text (not JSON).';
  const format = tool.format;
  if (format != null) {
    const formatObject = expectObject(format, `${path}.format`);
    const formatType = expectString(formatObject.type, `${path}.format.type`);
    if (formatType === 'grammar') {
      const syntax = expectString(formatObject.syntax, `${path}.format.syntax`);
      const definition = expectString(formatObject.definition, `${path}.format.definition`);
      // Chat upstreams cannot constrain decoding to a grammar; the model gets it to read instead.
      inputDescription = `The input, as free-form text (not JSON) following this ${syntax} grammar:\n${definition}`;
      warnings.push(`${path} (${name}): the ${syntax} grammar is given to the model as text, not enforced`);
    } else if (formatType !== 'text') {
      throw invalidField(
        `${path}.format.type`,
        `must be "text" or "grammar", got ${describeValue(formatType)}`,
      );
    }
  }
  const fn: FunctionTool['function'] = { name };
  const description = joinDescriptions(namespace, optionalString(tool, 'description', `${path}.`));
  if (description !== undefined) fn.description = description;
  fn.parameters = customInputSchema(inputDescription);
  list.add(withNamespace({ kind: 'custom', name }, namespace), path, fn);
}

function withNamespace(identity: ToolIdentity, namespace: JsonObject | undefined): ToolIdentity {
  if (namespace !== undefined) identity.namespace = namespace.name as string;
  return identity;
}

// A namespace's description tells the model what its tools are for; flattened, each tool carries it.
function joinDescriptions(namespace: JsonObject | undefined, description: string | undefined) {
  const namespaceDescription = typeof namespace?.description === 'string' ? namespace.description : '';
  if (namespaceDescription === '') return description;
  return description === undefined || description === ''
    ? namespaceDescription
    : `${namespaceDescription}\n\n${description}`;
}

function addNamespace(list: ToolList, tool: JsonObject, path: string, warnings: string[]): void {
  toolName(tool, path);
  optionalString(tool, 'description', `${path}.`);
  const members = expectArray(tool.tools, `${path}.tools`);
  for (const [index, member] of members.entries()) {
    const memberPath = `${path}.tools[${index}]`;
    const memberTool = expectObject(member, memberPath);
    const type = expectString(memberTool.type, `${memberPath}.type`);
    if (type === 'function') addFunction(list, memberTool, memberPath, tool);
    else if (type === 'custom') addCustom(list, memberTool, memberPath, warnings, tool);
    else
      throw invalidField(`${memberPath}.type`, `must be "function" or "custom", got ${describeValue(type)}`);
  }
}

/** Converts the `tools` array; hosted tools are dropped with a warning. Throws a 400 when malformed. */
export function convertTools(value: unknown, warnings: string[]): ConvertedTools {
  const list = new ToolList();
  // One warning per hosted tool type: the same type twice adds nothing to read.
  const hosted = new Set<string>();
  if (value == null) return list.converted;
  for (const [index, entry] of expectArray(value, 'tools').entries()) {
    const path = `tools[${index}]`;
    const tool = expectObject(entry, path);
    const type = expectString(tool.type, `${path}.type`);
    switch (type) {
      case 'function':
        addFunction(list, tool, path);
        break;
      case 'custom':
        addCustom(list, tool, path, warnings);
        break;
      case 'namespace':
        addNamespace(list, tool, path, warnings);
        break;
      case 'local_shell':
        list.add({ kind: 'local_shell', name: 'local_shell' }, path, { name: '', ...localShellTool });
        break;
      default:
        if (hosted.has(type)) break;
        hosted.add(type);
        warnings.push(`${path}: the hosted tool "${type}" cannot run through the router; dropped`);
    }
  }
  return list.converted;
}
