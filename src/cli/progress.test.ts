import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startSpinner } from './progress.js';

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return { stream, text: () => text };
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('startSpinner', () => {
  it('draws nothing during the first second, then a labelled bar on a terminal', () => {
    const output = capture();
    const spinner = startSpinner(true, 'reading the log', output.stream);
    vi.advanceTimersByTime(900);
    expect(output.text()).toBe('');
    vi.advanceTimersByTime(2_200);
    spinner.stop();
    expect(output.text()).toContain('reading the log [');
  });

  it('draws nothing when stderr is not a terminal', () => {
    const output = capture();
    const spinner = startSpinner(false, 'reading the log', output.stream);
    vi.advanceTimersByTime(5_000);
    spinner.stop();
    expect(output.text()).toBe('');
  });
});
