import { describe, expect, it, jest } from '@jest/globals';

/** commons reads the environment at import: each case imports a fresh copy. */
const importCommons = async (traceEnabled: string | undefined) => {
  const saved = process.env.POWERTOOLS_TRACE_ENABLED;
  if (traceEnabled === undefined) delete process.env.POWERTOOLS_TRACE_ENABLED;
  else process.env.POWERTOOLS_TRACE_ENABLED = traceEnabled;
  try {
    let commons: typeof import('#lib/runtime/commons.js') | undefined;
    await jest.isolateModulesAsync(async () => {
      commons = await import('#lib/runtime/commons.js');
    });
    if (!commons) throw new Error('commons did not load');
    return commons;
  } finally {
    if (saved === undefined) delete process.env.POWERTOOLS_TRACE_ENABLED;
    else process.env.POWERTOOLS_TRACE_ENABLED = saved;
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
      expect(commons.observability()).toHaveLength(2);
    },
  );

  it('loads the Tracer and its middleware when tracing is on', async () => {
    const commons = await importCommons('true');
    expect(commons.tracer?.constructor.name).toBe('Tracer');
    expect(commons.observability({ coldStartMetric: true })).toHaveLength(3);
  });
});
