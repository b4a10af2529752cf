/**
 * A tiny typed SVG builder. The frontier chart is static and small (a few dozen shapes), so writing the
 * markup ourselves costs less than a charting library and its headless-DOM dependencies would; what a
 * library would add here (escaping, number formatting) is the few lines below.
 */

export type SvgAttributeValue = string | number | undefined;

export interface SvgNode {
  name: string;
  attributes: Readonly<Record<string, SvgAttributeValue>>;
  children: readonly (SvgNode | string)[];
}

/** An element; string children are text and are escaped, undefined attributes are left out. */
export function svgNode(
  name: string,
  attributes: Readonly<Record<string, SvgAttributeValue>> = {},
  children: readonly (SvgNode | string)[] = [],
): SvgNode {
  return { name, attributes, children };
}

/** Escapes text for XML character data and attribute values. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** A coordinate or length with at most two decimals, so the file stays small and diffs stay stable. */
export function formatSvgNumber(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  return Object.is(rounded, -0) ? '0' : String(rounded);
}

function renderAttributes(attributes: Readonly<Record<string, SvgAttributeValue>>): string {
  let text = '';
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined) continue;
    const rendered = typeof value === 'number' ? formatSvgNumber(value) : escapeXml(value);
    text += ` ${name}="${rendered}"`;
  }
  return text;
}

/** Serialises a node tree; elements without children are self-closed, nesting is indented. */
export function renderSvgNode(node: SvgNode, depth = 0): string {
  const indent = '  '.repeat(depth);
  const open = `${indent}<${node.name}${renderAttributes(node.attributes)}`;
  if (node.children.length === 0) return `${open}/>`;
  if (node.children.every((child) => typeof child === 'string')) {
    return `${open}>${node.children.map((child) => escapeXml(child as string)).join('')}</${node.name}>`;
  }
  const inner = node.children.map((child) =>
    typeof child === 'string' ? `${indent}  ${escapeXml(child)}` : renderSvgNode(child, depth + 1),
  );
  return `${open}>\n${inner.join('\n')}\n${indent}</${node.name}>`;
}
