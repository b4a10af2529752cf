/** Reads the recorded upstream responses kept beside each protocol adapter (`<adapter>/__fixtures__/`). */
import { readFileSync } from 'node:fs';
import { createParser } from 'eventsource-parser';

export type AdapterDirectory = 'anthropic' | 'gemini' | 'openai-compatible';

export interface Fixtures {
  bytes(name: string): Buffer;
  text(name: string): string;
  json(name: string): unknown;
  /** The SSE messages of a `.sse` fixture: event name and parsed JSON data, in order. */
  sse(name: string): { event: string | undefined; data: unknown }[];
}

/** The fixtures of one adapter. */
export function fixturesOf(adapter: AdapterDirectory): Fixtures {
  const directory = new URL(`../${adapter}/__fixtures__/`, import.meta.url);
  const bytes = (name: string) => readFileSync(new URL(name, directory));
  const text = (name: string) => bytes(name).toString('utf8');
  return {
    bytes,
    text,
    json: (name) => JSON.parse(text(name)),
    sse(name) {
      const messages: { event: string | undefined; data: unknown }[] = [];
      const parser = createParser({
        onEvent: (message) => messages.push({ event: message.event, data: JSON.parse(message.data) }),
      });
      parser.feed(text(name));
      return messages;
    },
  };
}
