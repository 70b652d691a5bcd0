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

  it('publishes only METRIC_STREAMS as metrics; every other count is a field of one counts line, failed invocations too', async () => {
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
    const context = { functionName: 'sweep', awsRequestId: 'r-1' } as Context;
    try {
      const counting = middy(async (fail: boolean) => {
        commons.count('IaRequests');
        commons.count('SweepHeadWalks');
        commons.count('SweepHeadWalks', 2);
        commons.count('RecordsDeadLettered', 1, { Account: 'agency-b' });
        if (fail) throw new Error('boom');
      }).use(commons.observability());
      await counting(false, context);
      await expect(counting(true, context)).rejects.toThrow('boom');
    } finally {
      write.mockRestore();
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
          record._aws as { CloudWatchMetrics: Array<{ Metrics: Array<{ Name: string }> }> }
        ).CloudWatchMetrics[0]?.Metrics.map((metric) => metric.Name),
      );
    expect(published).toEqual([['IaRequests'], ['IaRequests']]);
    expect(records.filter((record) => record.message === 'counts').map((record) => record.counts)).toEqual([
      { SweepHeadWalks: 3 },
      { SweepHeadWalks: 3 },
    ]);
  });
});
