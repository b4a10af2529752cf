/**
 * Edits the top-level members of a JSON object's text without parsing or re-serialising the rest: the
 * same-protocol fast path sends a caller's body on with only the router's fields changed, and relays an
 * upstream's answer with only the fields the router owns rewritten. One pass over the text; string
 * contents are skipped with `indexOf`.
 *
 * The text must already be valid JSON (it was parsed before). The scan gives up (returns undefined) where
 * a plain reading of the text could differ from `JSON.parse`'s: an edited key written with escapes, or an
 * edited key that appears twice.
 */

/**
 * Per key: the member's new value as JSON text (added at the end when absent), undefined to remove it,
 * or a function of its current value text (undefined when absent) giving either of those.
 */
export type JsonMemberEdit = string | undefined | ((current: string | undefined) => string | undefined);
export type JsonMemberEdits = ReadonlyMap<string, JsonMemberEdit>;

interface Member {
  key: string;
  /** Offset of the key's opening quote. */
  start: number;
  /** Offset of the value. */
  valueStart: number;
  /** Offset just past the value. */
  end: number;
}

function skipSpace(text: string, index: number): number {
  let at = index;
  for (;;) {
    const code = text.charCodeAt(at);
    if (code !== 0x20 && code !== 0x0a && code !== 0x0d && code !== 0x09) return at;
    at += 1;
  }
}

/** The offset of the quote closing the string opened at `quote`. */
function stringEnd(text: string, quote: number): number {
  let at = quote;
  for (;;) {
    at = text.indexOf('"', at + 1);
    if (at < 0) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(at - 1 - backslashes) === 0x5c) backslashes += 1;
    if (backslashes % 2 === 0) return at;
  }
}

/** The offset just past the value starting at `index`. */
function valueEnd(text: string, index: number): number {
  const first = text.charCodeAt(index);
  if (first === 0x22) return stringEnd(text, index) + 1;
  let at = index + 1;
  if (first !== 0x7b && first !== 0x5b) {
    // A number, true, false or null: up to the next separator.
    for (;;) {
      const code = text.charCodeAt(at);
      if (Number.isNaN(code) || code === 0x2c || code === 0x7d || code === 0x5d || code <= 0x20) return at;
      at += 1;
    }
  }
  let depth = 1;
  while (depth > 0 && at < text.length) {
    const code = text.charCodeAt(at);
    if (code === 0x22) {
      at = stringEnd(text, at) + 1;
      continue;
    }
    if (code === 0x7b || code === 0x5b) depth += 1;
    else if (code === 0x7d || code === 0x5d) depth -= 1;
    at += 1;
  }
  return at;
}

/** The top-level members of an object's text; undefined when the text is not an object. */
function scanMembers(text: string): Member[] | undefined {
  let at = skipSpace(text, 0);
  if (text.charCodeAt(at) !== 0x7b) return undefined;
  at = skipSpace(text, at + 1);
  const members: Member[] = [];
  if (text.charCodeAt(at) === 0x7d) return members;
  for (;;) {
    if (text.charCodeAt(at) !== 0x22) return undefined;
    const keyEnd = stringEnd(text, at);
    const key = text.slice(at + 1, keyEnd);
    const colon = skipSpace(text, keyEnd + 1);
    const value = skipSpace(text, colon + 1);
    const end = valueEnd(text, value);
    members.push({ key, start: at, valueStart: value, end });
    at = skipSpace(text, end);
    if (text.charCodeAt(at) !== 0x2c) return members;
    at = skipSpace(text, at + 1);
  }
}

/**
 * The object's text with `edits` applied; every other member kept byte for byte, in order. Undefined
 * when the text cannot be edited safely this way (see the module comment); the caller then parses it.
 */
export function spliceJsonObject(text: string, edits: JsonMemberEdits): string | undefined {
  const members = scanMembers(text);
  if (members === undefined) return undefined;
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const member of members) {
    // An escaped key may spell an edited one (`"mod\u0065l"`): only a plain key is matched by its text.
    if (member.key.includes('\\') && edits.has(JSON.parse(`"${member.key}"`))) return undefined;
    if (!edits.has(member.key)) {
      parts.push(text.slice(member.start, member.end));
      continue;
    }
    if (seen.has(member.key)) return undefined;
    seen.add(member.key);
    const edit = edits.get(member.key);
    const value = typeof edit === 'function' ? edit(text.slice(member.valueStart, member.end)) : edit;
    // The key matched its edit letter for letter, so it needs no escaping.
    if (value !== undefined) parts.push(`"${member.key}":${value}`);
  }
  for (const [key, edit] of edits) {
    if (seen.has(key)) continue;
    const value = typeof edit === 'function' ? edit(undefined) : edit;
    if (value !== undefined) parts.push(`${JSON.stringify(key)}:${value}`);
  }
  return `{${parts.join(',')}}`;
}

/**
 * The only element of a one-element JSON array's text, edited with `edits` (see `spliceJsonObject`);
 * undefined when that element is not an object this module can edit.
 */
export function spliceOnlyElement(arrayText: string, edits: JsonMemberEdits): string | undefined {
  const element = spliceJsonObject(arrayText.slice(1, arrayText.lastIndexOf(']')), edits);
  return element === undefined ? undefined : `[${element}]`;
}
