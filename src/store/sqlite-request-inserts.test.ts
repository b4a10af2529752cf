import { describe, expect, it } from 'vitest';
import { requestColumns, toRequestRow } from './map-store-rows.js';
import { encodeRequestRecords } from './sqlite-request-inserts.js';
import { makeFailedRequestRecord, makeRequestRecord } from './test-support/request-store.case.js';

describe('encodeRequestRecords', () => {
  it('gives each record its values in the column order of the insert', () => {
    // Every column its own value, so two columns swapped cannot go unseen.
    const records = [
      makeRequestRecord({ errorCode: 'x_error', status: 207, keyId: 'key_distinct' }),
      makeFailedRequestRecord({ streamed: false }),
    ];
    for (const [index, values] of encodeRequestRecords(records).entries()) {
      const row = toRequestRow(records[index] as (typeof records)[number]);
      expect(values).toEqual(
        requestColumns.map((column) => {
          if (column === 'settings' || column === 'attempts') return JSON.stringify(row[column]);
          if (column === 'streamed') return row.streamed ? 1 : 0;
          return row[column];
        }),
      );
    }
  });

  it('refuses a batch holding a record the store cannot keep, naming it', () => {
    const batch = [
      makeRequestRecord({ id: 'gen-fine' }),
      makeRequestRecord({ id: 'gen-bad', latencyMs: -1 }),
    ];
    expect(() => encodeRequestRecords(batch)).toThrow(
      expect.objectContaining({ code: 'invalid_request', message: expect.stringContaining('gen-bad') }),
    );
  });
});
