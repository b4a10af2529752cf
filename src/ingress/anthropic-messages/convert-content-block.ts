/**
 * One Anthropic content block that carries content (text, image, document, search result, compaction
 * summary) converted to chat-completions content parts.
 *
 * Documents: a base64 or URL PDF becomes a chat `file` part (`file_data` a data URL or the URL), the shape
 * OpenRouter and the Gemini adapter read; a plain-text document becomes a text part, its title (when
 * given) on the first line; a content document becomes its own text and image parts. Files uploaded
 * through Anthropic's Files API (`file_id`) exist only there and are dropped with a warning.
 */
import type { ContentPart, TextContentPart } from '../../core/chat-request.js';
import type { WarningList } from './create-warning-list.js';
import {
  describeValue,
  invalidRequest,
  readArray,
  readOptionalString,
  readRecord,
  readString,
} from './read-json-value.js';

/** The block types that carry content rather than tool calls or thinking. */
export type MediaBlockType = 'text' | 'image' | 'document' | 'search_result' | 'compaction';

type CacheControl = NonNullable<TextContentPart['cache_control']>;

const uploadedFileReason = 'files uploaded to Anthropic (file_id) cannot be sent to other providers; dropped';

/** A block's `cache_control` (absent or null -> undefined); Anthropic knows only the `ephemeral` type. */
export function readCacheControl(value: unknown, path: string): CacheControl | undefined {
  if (value == null) return undefined;
  const record = readRecord(value, path);
  if (record.type !== 'ephemeral') {
    throw invalidRequest(`${path}.type`, `expected "ephemeral", got ${describeValue(record.type)}`);
  }
  const ttl = readOptionalString(record.ttl, `${path}.ttl`);
  return ttl === undefined ? { type: 'ephemeral' } : { type: 'ephemeral', ttl };
}

/** A `text` block as a chat text part, keeping its cache breakpoint. */
export function convertTextBlock(block: Record<string, unknown>, path: string): TextContentPart {
  const part: TextContentPart = { type: 'text', text: readString(block.text, `${path}.text`) };
  const cacheControl = readCacheControl(block.cache_control, `${path}.cache_control`);
  if (cacheControl !== undefined) part.cache_control = cacheControl;
  return part;
}

function convertImage(block: Record<string, unknown>, path: string, warnings: WarningList): ContentPart[] {
  const source = readRecord(block.source, `${path}.source`);
  switch (source.type) {
    case 'base64': {
      const mediaType = readString(source.media_type, `${path}.source.media_type`);
      const data = readString(source.data, `${path}.source.data`);
      return [{ type: 'image_url', image_url: { url: `data:${mediaType};base64,${data}` } }];
    }
    case 'url':
      return [{ type: 'image_url', image_url: { url: readString(source.url, `${path}.source.url`) } }];
    case 'file':
      warnings.add(path, uploadedFileReason);
      return [];
    default:
      throw invalidRequest(
        `${path}.source.type`,
        `expected "base64", "url" or "file", got ${describeValue(source.type)}`,
      );
  }
}

/** The image and text blocks of a `content` document source. */
function convertDocumentContent(value: unknown, path: string, warnings: WarningList): ContentPart[] {
  if (typeof value === 'string') return [{ type: 'text', text: value }];
  const parts: ContentPart[] = [];
  readArray(value, path).forEach((item, index) => {
    const itemPath = `${path}[${index}]`;
    const block = readRecord(item, itemPath);
    if (block.type === 'text') parts.push(convertTextBlock(block, itemPath));
    else if (block.type === 'image') parts.push(...convertImage(block, itemPath, warnings));
    else {
      throw invalidRequest(
        `${itemPath}.type`,
        `expected "text" or "image", got ${describeValue(block.type)}`,
      );
    }
  });
  return parts;
}

function convertDocument(block: Record<string, unknown>, path: string, warnings: WarningList): ContentPart[] {
  const source = readRecord(block.source, `${path}.source`);
  const title = readOptionalString(block.title, `${path}.title`);
  const filename = title ?? 'document.pdf';
  switch (source.type) {
    case 'base64': {
      const mediaType = readString(source.media_type, `${path}.source.media_type`);
      const data = readString(source.data, `${path}.source.data`);
      return [{ type: 'file', file: { filename, file_data: `data:${mediaType};base64,${data}` } }];
    }
    case 'url':
      return [{ type: 'file', file: { filename, file_data: readString(source.url, `${path}.source.url`) } }];
    case 'text': {
      const text = readString(source.data, `${path}.source.data`);
      return [{ type: 'text', text: title === undefined ? text : `${title}\n\n${text}` }];
    }
    case 'content':
      return convertDocumentContent(source.content, `${path}.source.content`, warnings);
    case 'file':
      warnings.add(path, uploadedFileReason);
      return [];
    default:
      throw invalidRequest(
        `${path}.source.type`,
        `expected "base64", "url", "text", "content" or "file", got ${describeValue(source.type)}`,
      );
  }
}

/** A search result as one text part: title, source, then its text blocks. */
function convertSearchResult(block: Record<string, unknown>, path: string): ContentPart[] {
  const title = readString(block.title, `${path}.title`);
  const source = readString(block.source, `${path}.source`);
  const texts = readArray(block.content, `${path}.content`).map((item, index) => {
    const itemPath = `${path}.content[${index}]`;
    return convertTextBlock(readRecord(item, itemPath), itemPath).text;
  });
  return [{ type: 'text', text: `${title}\n${source}\n\n${texts.join('\n')}` }];
}

/** Converts one content-carrying block to chat content parts (none when it was dropped with a warning). */
export function convertContentBlock(
  block: Record<string, unknown>,
  type: MediaBlockType,
  path: string,
  warnings: WarningList,
): ContentPart[] {
  // Chat parts other than text have no cache breakpoint; the caller's caching of that prefix is lost.
  if (type !== 'text' && block.cache_control != null) {
    warnings.add(path, `cache_control on the ${type} block cannot be carried to other providers; dropped`);
  }
  switch (type) {
    case 'text':
      return [convertTextBlock(block, path)];
    case 'image':
      return convertImage(block, path, warnings);
    case 'document':
      return convertDocument(block, path, warnings);
    case 'search_result':
      return convertSearchResult(block, path);
    case 'compaction': {
      // The summary Anthropic wrote of the earlier conversation; its encrypted form only Anthropic reads.
      const summary = readOptionalString(block.content, `${path}.content`);
      if (summary !== undefined) return [{ type: 'text', text: summary }];
      warnings.add(path, 'a compaction block without a readable summary cannot be sent to other providers');
      return [];
    }
  }
}
