/**
 * The providers' compiled chunk checks (`isPlainChunk`, `isPlainGeminiChunk`): one ajv instance compiles
 * them all, once, when their modules load. A check passes the common chunk a converter can read as it is;
 * zod reads the rest.
 */
import { Ajv } from 'ajv';

const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });

/** A string or null, as the chunk schemas' `nullish()` strings arrive in JSON. */
export const nullableString = { type: ['string', 'null'] } as const;

/** Compiles `schema` (JSON Schema, strict mode) into a check. */
export function compileChunkCheck(schema: object): (value: unknown) => boolean {
  return ajv.compile(schema);
}
