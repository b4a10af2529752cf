/** fast-check pieces shared by the tests that hold a compiled chunk check to its zod schema. */
import fc from 'fast-check';

/** Any JSON value, or a value of the type a field usually has, or nothing. */
export const field = (usual: fc.Arbitrary<unknown>) =>
  fc.option(fc.oneof(usual, fc.jsonValue({ maxDepth: 2 })), { nil: undefined });

/** The value as JSON has it (undefined members gone), as a converter receives it. */
export const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
