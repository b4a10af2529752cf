import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { BucketHistogram } from './bucket-histogram.js';

const buckets = [0.001, 0.01, 0.1, 1, 10];
const samples = [0, 0.0005, 0.001, 0.002, 0.05, 0.1, 0.7, 3, 10, 42, 1e6];

describe('BucketHistogram', () => {
  it("renders exactly what prom-client's own Histogram renders for the same observations", async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const fast = new BucketHistogram({
      name: 'latency_seconds',
      help: 'Latency.',
      labelNames: ['model', 'streamed'],
      buckets,
      registers: [ours],
    });
    const reference = new Histogram({
      name: 'latency_seconds',
      help: 'Latency.',
      labelNames: ['model', 'streamed'],
      buckets,
      registers: [theirs],
    });
    for (const [index, value] of samples.entries()) {
      const labels = [
        index % 2 === 0 ? 'a/model' : 'b/"quoted"\\model',
        index % 3 === 0 ? 'true' : 'false',
      ] as const;
      fast.series(...labels).observe(value);
      reference.labels(...labels).observe(value);
    }
    const rendered = await ours.metrics();
    expect(rendered).toBe(await theirs.metrics());
    expect(rendered).toContain('latency_seconds_bucket{le="0.001",model="a/model",streamed="true"} 1');
    // Exemplars are an OpenMetrics feature this router does not use; everything else is the same.
    const withoutExemplars = (metrics: Awaited<ReturnType<Registry['getMetricsAsJSON']>>) =>
      metrics.map((metric) => ({
        ...metric,
        values: metric.values.map(({ value, labels, ...rest }) => ({
          value,
          labels,
          metricName: (rest as { metricName?: string }).metricName,
        })),
      }));
    expect(withoutExemplars(await ours.getMetricsAsJSON())).toEqual(
      withoutExemplars(await theirs.getMetricsAsJSON()),
    );
  });

  it('counts each value in the first bucket whose bound it does not exceed', () => {
    const histogram = new BucketHistogram({ name: 'h', help: 'h', labelNames: [], buckets, registers: [] });
    const series = histogram.series();
    for (const value of samples) series.observe(value);
    expect([...series.counts]).toEqual([3, 1, 2, 1, 2, 2]);
    expect(series.count).toBe(samples.length);
    expect(series.sum).toBeCloseTo(
      samples.reduce((total, value) => total + value, 0),
      9,
    );
  });

  it('ignores non-finite values and refuses the wrong number of label values', () => {
    const histogram = new BucketHistogram({
      name: 'h',
      help: 'h',
      labelNames: ['model'],
      buckets,
      registers: [],
    });
    const series = histogram.series('a');
    series.observe(Number.NaN);
    series.observe(Number.POSITIVE_INFINITY);
    expect(series.count).toBe(0);
    expect(histogram.series('a')).toBe(series);
    expect(() => histogram.series('a', 'b')).toThrow(/takes 1 label values, got 2/);
  });

  it('forgets its series on reset', async () => {
    const registry = new Registry();
    const histogram = new BucketHistogram({
      name: 'h',
      help: 'h',
      labelNames: ['model'],
      buckets,
      registers: [registry],
    });
    histogram.series('a').observe(1);
    histogram.reset();
    expect(await registry.metrics()).not.toContain('h_bucket');
  });
});
