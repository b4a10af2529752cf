/** Reads the recorded Anthropic fixtures beside the adapter, for tests. */
import { readFileSync } from 'node:fs';
import { createParser } from 'eventsource-parser';

const fixturesUrl = new URL('../__fixtures__/', import.meta.url);

/** The text of one fixture file. */
export function readFixtureText(name: string): string {
  return readFileSync(new URL(name, fixturesUrl), 'utf8');
}

/** The parsed JSON of one fixture file. */
export function readFixtureJson(name: string): unknown {
  return JSON.parse(readFixtureText(name));
}

/** The SSE messages of a `.sse` fixture: event name and parsed JSON data, in order. */
export function readSseFixture(name: string): { event: string | undefined; data: unknown }[] {
  const messages: { event: string | undefined; data: unknown }[] = [];
  const parser = createParser({
    onEvent: (message) => messages.push({ event: message.event, data: JSON.parse(message.data) }),
  });
  parser.feed(readFixtureText(name));
  return messages;
}
