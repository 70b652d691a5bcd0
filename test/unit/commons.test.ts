import { describe, expect, it, jest } from '@jest/globals';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';

/** commons reads the environment at import: each case imports a fresh copy. */
const importCommons = async (traceEnabled: string | undefined, env: Record<string, string> = {}) => {
  const variables = { POWERTOOLS_TRACE_ENABLED: traceEnabled, ...env };
  const saved = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
  const set = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values))
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
  };
  set(variables);
  try {
    let commons: typeof import('#lib/runtime/commons.js') | undefined;
    await jest.isolateModulesAsync(async () => {
      commons = await import('#lib/runtime/commons.js');
    });
    if (!commons) throw new Error('commons did not load');
    return commons;
  } finally {
    set(saved);
  }
};

describe('commons', () => {
  it.each([undefined, 'false', 'TRUE '])(
    'leaves the Tracer unloaded when POWERTOOLS_TRACE_ENABLED is %p',
    async (value) => {
      const commons = await importCommons(value);
      expect(commons.tracer).toBeUndefined();
      const client = { send: () => undefined };
      expect(commons.traced(client)).toBe(client);
      expect(commons.observability()).toHaveLength(3);
    },
  );

  it('loads the Tracer and its middleware when tracing is on', async () => {
    const commons = await importCommons('true');
    expect(commons.tracer?.constructor.name).toBe('Tracer');
    expect(commons.observability()).toHaveLength(4);
  });

  it('publishes only METRIC_STREAMS as metrics (by Account only where the dashboard splits so); every other count is a field of one counts line, failed invocations too', async () => {
    const commons = await importCommons(undefined, {
      POWERTOOLS_METRICS_DISABLED: 'false',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      POWERTOOLS_DEV: 'false',
    });
    const lines: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    const warnings: string[] = [];
    const warn = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      warnings.push(String(chunk));
      return true;
    });
    const context = { functionName: 'sweep', awsRequestId: 'r-1' } as Context;
    try {
      const counting = middy(async (fail: boolean) => {
        commons.count('IaRequests');
        commons.count('IaRequests', 1, { Account: 'agency-b' });
        commons.count('IaThrottled', 1, { Account: 'agency-b' });
        commons.count('SweepHeadWalks');
        commons.count('SweepHeadWalks', 2);
        commons.count('SweepLagSeconds', 40);
        commons.count('SweepLagSeconds', 30);
        commons.count('RecordsDeadLettered', 1, { Account: 'agency-b' });
        if (fail) throw new Error('boom');
      }).use(commons.observability());
      await counting(false, context);
      await expect(counting(true, context)).rejects.toThrow('boom');
      // Nothing counted: no metrics line, no counts line, and no warning about it.
      await middy(async () => undefined).use(commons.observability())(undefined, context);
    } finally {
      write.mockRestore();
      warn.mockRestore();
    }
    const records = lines
      .join('')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const published = records
      .filter((record) => record._aws)
      .map((record) =>
        (
          record._aws as { CloudWatchMetrics: Array<{ Dimensions: string[][]; Metrics: Array<{ Name: string }> }> }
        ).CloudWatchMetrics.map((set) => `${set.Metrics.map((m) => m.Name).join()} by ${set.Dimensions.flat().join()}`),
      );
    expect(published).toEqual([
      ['IaRequests by service,Account'],
      ['IaRequests by service'],
      ['IaRequests by service,Account'],
      ['IaRequests by service'],
    ]);
    const counts = records.filter((record) => record.message === 'counts');
    expect(counts.map(({ counts, countsByAccount }) => ({ counts, countsByAccount }))).toEqual(
      Array(2).fill({
        counts: { SweepHeadWalks: 3, SweepLagSeconds: 40 },
        countsByAccount: { 'agency-b': { IaThrottled: 1, RecordsDeadLettered: 1 } },
      }),
    );
    // Powertools' own middleware warns, on stdout or stderr, for every invocation without a metric.
    expect([...lines, ...warnings].join('')).not.toMatch(/No application metrics/);
    expect(records.filter((record) => record.level === 'WARN')).toEqual([]);
  });
});
