import { describe, expect, it } from 'vitest';
import { RouterError } from '../core/errors.js';
import { assertStorableRequestRecord, findRequestRecordProblem } from './request-record.js';
import { makeFailedRequestRecord, makeRequestRecord } from './test-support/request-store.case.js';

describe('findRequestRecordProblem', () => {
  it('accepts complete and failed records', () => {
    expect(findRequestRecordProblem(makeRequestRecord())).toBeNull();
    expect(findRequestRecordProblem(makeFailedRequestRecord())).toBeNull();
  });

  it('names the field and value that cannot be stored', () => {
    expect(findRequestRecordProblem(makeRequestRecord({ id: '' }))).toMatch(/^id must be/);
    expect(findRequestRecordProblem(makeRequestRecord({ createdAt: 1.5 }))).toMatch(/createdAt .* got 1.5/);
    expect(findRequestRecordProblem(makeRequestRecord({ promptTokens: -1 }))).toBe(
      'promptTokens must be a non-negative integer, got -1',
    );
    expect(findRequestRecordProblem(makeRequestRecord({ reasoningTokens: 2.5 }))).toMatch(/reasoningTokens/);
    expect(findRequestRecordProblem(makeRequestRecord({ costUsd: Number.NaN }))).toMatch(
      /costUsd .* got NaN/,
    );
    expect(findRequestRecordProblem(makeRequestRecord({ timeToFirstTokenMs: -3 }))).toMatch(
      /timeToFirstTokenMs .* got -3/,
    );
    expect(findRequestRecordProblem(makeRequestRecord({ status: 700 }))).toMatch(/status .* got 700/);
    expect(
      findRequestRecordProblem(
        makeRequestRecord({
          attempts: [{ model: 'm', upstream: 'u', status: 200, errorCode: null, durationMs: Number.NaN }],
        }),
      ),
    ).toMatch(/attempts\[0\]\.durationMs .* got NaN/);
    expect(findRequestRecordProblem(makeRequestRecord({ model: 'x'.repeat(513) }))).toMatch(/^model must be/);
  });
});

describe('assertStorableRequestRecord', () => {
  it('throws invalid_request naming the record', () => {
    let caught: unknown;
    try {
      assertStorableRequestRecord(makeRequestRecord({ id: 'gen-x', latencyMs: -1 }));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RouterError);
    expect((caught as RouterError).code).toBe('invalid_request');
    expect((caught as RouterError).message).toBe(
      'request record gen-x: latencyMs must be a non-negative finite number, got -1',
    );
    expect((caught as RouterError).metadata).toEqual({ requestId: 'gen-x' });
  });
});
