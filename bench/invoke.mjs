// Runs inside a fresh Node process, as a Lambda execution environment would: imports a bundle,
// then either handles one event (cold start) or many (warm cost), and reports what it used.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [bundle, eventsFile, mode = 'cold'] = process.argv.slice(2);
const events = JSON.parse(readFileSync(eventsFile, 'utf8'));
const context = (name) => {
  const deadline = Date.now() + 60_000;
  return {
    functionName: name,
    functionVersion: '$LATEST',
    memoryLimitInMB: '256',
    awsRequestId: `r-${Math.random()}`,
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
    logGroupName: 'bench',
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => deadline - Date.now(),
    callbackWaitsForEmptyEventLoop: false,
  };
};
const imported = performance.now();
const { handler } = await import(pathToFileURL(bundle).href);
const loadMs = performance.now() - imported;
const cpuBefore = process.cpuUsage();
const started = performance.now();
const results = [];
for (const event of mode === 'cold' ? events.slice(0, 1) : events) results.push(await handler(event, context('bench')));
const cpu = process.cpuUsage(cpuBefore);
// What the process really keeps: the heap after a full collection (run with --expose-gc).
globalThis.gc?.();
const liveHeapMb = process.memoryUsage().heapUsed / 2 ** 20;
process.stdout.write(
  `\n${JSON.stringify({
    loadMs,
    handleMs: performance.now() - started,
    cpuMs: (cpu.user + cpu.system) / 1000,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    liveHeapMb,
    invocations: mode === 'cold' ? 1 : events.length,
    failures: results.map((r) => r?.batchItemFailures?.length ?? 0).reduce((a, b) => a + b, 0),
    statusCodes: [...new Set(results.map((r) => r?.statusCode).filter(Boolean))],
  })}\n`,
);
process.exit(0);
