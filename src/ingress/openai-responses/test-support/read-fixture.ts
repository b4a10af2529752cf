/** Reads the fixtures kept beside the Responses ingress (`__fixtures__/`). */
import { readFileSync } from 'node:fs';

const directory = new URL('../__fixtures__/', import.meta.url);

/** A fixture's text. */
export function fixtureText(name: string): string {
  return readFileSync(new URL(name, directory), 'utf8');
}

/** A fixture's parsed JSON. */
export function fixtureJson(name: string): any {
  return JSON.parse(fixtureText(name));
}
