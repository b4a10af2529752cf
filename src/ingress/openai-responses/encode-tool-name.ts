/**
 * The chat-completions name of a Responses tool. Chat upstreams know only flat function tools, while the
 * Responses API also has namespaces, free-form `custom` tools and `local_shell`; rendering an answer back
 * must know which of them the model called, and the renderer sees nothing but the call's name. So the name
 * itself carries it, with `--` (valid in every upstream's tool names, rare in real ones) as separator:
 *
 * - function `read_file` -> `read_file` (unchanged: the common case, and the name the model knows)
 * - function `lookup` in namespace `mcp__crm__` -> `mcp__crm__--lookup`
 * - custom tool `apply_patch` -> `apply_patch--custom` (in a namespace: `ns--apply_patch--custom`)
 * - the `local_shell` tool -> `shell--local_shell`
 *
 * A caller's name that would read back as something else (a plain function named `a--b`) is refused by the
 * parser, which checks that decoding each encoded name gives the tool back.
 */

/** What kind of Responses tool a chat function stands for. */
export type ToolKind = 'function' | 'custom' | 'local_shell';

/** A Responses tool as the model calls it: kind, name and, for tools grouped in a namespace, its name. */
export interface ToolIdentity {
  kind: ToolKind;
  name: string;
  namespace?: string;
}

const separator = '--';
const customMarker = 'custom';
const localShellMarker = 'local_shell';
const localShellName = 'shell';

function qualified(tool: ToolIdentity): string {
  return tool.namespace === undefined ? tool.name : `${tool.namespace}${separator}${tool.name}`;
}

/** The chat function name standing for `tool`. */
export function encodeToolName(tool: ToolIdentity): string {
  switch (tool.kind) {
    case 'function':
      return qualified(tool);
    case 'custom':
      return `${qualified(tool)}${separator}${customMarker}`;
    case 'local_shell':
      return `${localShellName}${separator}${localShellMarker}`;
  }
}

/** The Responses tool a chat function name stands for; a name the router did not encode is a function. */
export function decodeToolName(encoded: string): ToolIdentity {
  const segments = encoded.split(separator);
  if (segments.length === 2 && segments[0] === localShellName && segments[1] === localShellMarker) {
    return { kind: 'local_shell', name: 'local_shell' };
  }
  let kind: ToolKind = 'function';
  let rest = segments;
  if (segments.length >= 2 && segments.at(-1) === customMarker) {
    kind = 'custom';
    rest = segments.slice(0, -1);
  }
  const [namespace, name] = rest;
  if (rest.length === 2 && namespace !== undefined && namespace !== '' && name !== undefined && name !== '') {
    return { kind, namespace, name };
  }
  return { kind, name: rest.join(separator) };
}

/** True when `encoded` reads back as `tool`: the name can carry the tool through a chat upstream. */
export function isReversible(tool: ToolIdentity, encoded: string): boolean {
  const decoded = decodeToolName(encoded);
  return (
    decoded.kind === tool.kind &&
    (tool.kind === 'local_shell' || (decoded.name === tool.name && decoded.namespace === tool.namespace))
  );
}
