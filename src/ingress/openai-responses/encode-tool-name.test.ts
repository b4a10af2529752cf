import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeToolName, encodeToolName, isReversible, type ToolIdentity } from './encode-tool-name.js';

describe('encodeToolName', () => {
  it.each<[ToolIdentity, string]>([
    [{ kind: 'function', name: 'read_file' }, 'read_file'],
    [{ kind: 'function', name: 'lookup', namespace: 'mcp__crm__' }, 'mcp__crm__--lookup'],
    [{ kind: 'custom', name: 'apply_patch' }, 'apply_patch--custom'],
    [{ kind: 'custom', name: 'note', namespace: 'crm' }, 'crm--note--custom'],
    [{ kind: 'local_shell', name: 'local_shell' }, 'shell--local_shell'],
  ])('encodes %j as %s and reads it back', (tool, encoded) => {
    expect(encodeToolName(tool)).toBe(encoded);
    expect(decodeToolName(encoded)).toEqual(tool);
  });

  it('reads names the router did not encode as plain functions', () => {
    expect(decodeToolName('a--b--c')).toEqual({ kind: 'function', name: 'a--b--c' });
    expect(decodeToolName('trailing--')).toEqual({ kind: 'function', name: 'trailing--' });
    expect(decodeToolName('')).toEqual({ kind: 'function', name: '' });
  });

  it('flags caller names that would read back as another tool', () => {
    expect(
      isReversible({ kind: 'function', name: 'a--b' }, encodeToolName({ kind: 'function', name: 'a--b' })),
    ).toBe(false);
    expect(isReversible({ kind: 'function', name: 'x--custom' }, 'x--custom')).toBe(false);
    expect(
      isReversible({ kind: 'function', name: 'local_shell', namespace: 'shell' }, 'shell--local_shell'),
    ).toBe(false);
    expect(isReversible({ kind: 'function', name: 'snake_case-name' }, 'snake_case-name')).toBe(true);
  });

  it('reads back every tool whose names hold no separator', () => {
    const part = fc.stringMatching(/^[a-zA-Z0-9_]{1,20}$/);
    fc.assert(
      fc.property(
        fc.constantFrom('function', 'custom'),
        part,
        fc.option(part, { nil: undefined }),
        (kind, name, namespace) => {
          const tool: ToolIdentity = namespace === undefined ? { kind, name } : { kind, name, namespace };
          expect(decodeToolName(encodeToolName(tool))).toEqual(tool);
        },
      ),
    );
  });
});
