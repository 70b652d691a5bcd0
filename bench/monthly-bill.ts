/**
 * The monthly bill of one deployment with the default settings: the per-attempt costs the bench
 * measures (first check, ingest, Slack post) plus the parts that run whatever the volume — the
 * sweep every 5 minutes (its Lambda time, its IA walk's DynamoDB reads and pacing writes), KMS keys,
 * secrets, alarms, the dashboard, custom metrics, the SQS event sources' polling, the watch after
 * the first check, the sweep cursor's writes, storage and point-in-time recovery. Account-level
 * free tiers are shown apart (`freeTierUsd`), not subtracted from the items: another workload in the
 * account may use them up.
 *
 * Prices: us-east-1 list prices as recorded on 2026-11-30 (PRICES, with the page to check them on).
 */

export const PRICES = {
  recordedOn: '2026-11-30',
  region: 'us-east-1',
  lambdaArmGbSecond: { usd: 0.0000133334, source: 'https://aws.amazon.com/lambda/pricing/' },
  lambdaRequest: { usd: 0.2 / 1e6, source: 'https://aws.amazon.com/lambda/pricing/' },
  dynamoReadUnit: { usd: 0.125 / 1e6, source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/' },
  dynamoWriteUnit: { usd: 0.625 / 1e6, source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/' },
  sqsRequest: { usd: 0.4 / 1e6, source: 'https://aws.amazon.com/sqs/pricing/' },
  snsPublish: { usd: 0.5 / 1e6, source: 'https://aws.amazon.com/sns/pricing/' },
  snsEmail: { usd: 2 / 1e5, source: 'https://aws.amazon.com/sns/pricing/' },
  kmsKeyMonth: { usd: 1, source: 'https://aws.amazon.com/kms/pricing/' },
  /** Each of the first two automatic rotations of a key's material adds a key's monthly price (later ones are free). */
  kmsRotationMonth: { usd: 1, source: 'https://aws.amazon.com/kms/pricing/' },
  dynamoStorageGbMonth: { usd: 0.25, source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/' },
  dynamoPitrGbMonth: { usd: 0.2, source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/' },
  secretMonth: { usd: 0.4, source: 'https://aws.amazon.com/secrets-manager/pricing/' },
  alarmMetricMonth: { usd: 0.1, source: 'https://aws.amazon.com/cloudwatch/pricing/' },
  dashboardMonth: { usd: 3, source: 'https://aws.amazon.com/cloudwatch/pricing/' },
  /** Prorated by the hour: a metric costs only for the hours it is published in. */
  customMetricMonth: { usd: 0.3, source: 'https://aws.amazon.com/cloudwatch/pricing/' },
  logsIngestedGb: { usd: 0.5, source: 'https://aws.amazon.com/cloudwatch/pricing/' },
  schedulerInvocation: { usd: 1 / 1e6, source: 'https://aws.amazon.com/eventbridge/pricing/' },
  httpApiRequest: { usd: 1 / 1e6, source: 'https://aws.amazon.com/api-gateway/pricing/' },
  pipesRequest: { usd: 0.4 / 1e6, source: 'https://aws.amazon.com/eventbridge/pricing/' },
} as const;

/** What else one would pay for the same alerting, for comparison. */
export const ALTERNATIVES = {
  zapier: {
    note: 'Zapier Professional: $89 a month for 5,000 tasks; tasks beyond the plan at 1.25x the plan’s task cost, up to 3x the plan (then Zaps stop): one task per alert email or post',
    planUsd: 89,
    planTasks: 5_000,
    overageFactor: 1.25,
    sources: [
      'https://help.zapier.com/hc/en-us/articles/15279018245901-How-pay-per-task-billing-works-in-Zapier',
      'https://arment.com/ArmstrongIAppConnector/Documentation/FAQ.aspx (Professional $89/mo for 5,000 tasks)',
    ],
  },
  eventBridgePipes: {
    note: 'EventBridge Pipes: $0.40 per million requests after filtering, plus whatever the pipe’s enrichment and target cost (it does not fetch IA or decide anything)',
    source: PRICES.pipesRequest.source,
  },
} as const;

export interface BillInputs {
  attemptsPerDay: number;
  /** AWS cost of one attempt's first check, ingest and Slack post, as the bench measures it. */
  perAttemptUsd: Record<'lambda' | 'dynamodb' | 'sqs' | 'sns' | 'apiGateway' | 'secretsManager' | 'logs', number>;
  /** The sweep's IA list calls a day (the walk spends its budget whenever the list holds anything). */
  sweepPagesPerDay: number;
  /** How long a sweep run lasts when there is nothing to walk, and at volume (its pages, each a paced slot, at most 90 % of its interval). */
  sweepIdleRunSeconds: number;
  sweepBusyRunSeconds: number;
  sweepMemoryMb: number;
  intervalMinutes: number;
  /**
   * States read per list page, eventually consistent (half a read unit each): the page's completed
   * attempts but those a warm container's memo of quiet looks spares; none while the list is empty.
   */
  statesReadPerPage: number;
  /** The sweep's looks that act (publish, save, schedule), each reading the state again, consistently: per attempt. */
  consistentReadsPerAttempt: number;
  /** The sweep cursor item's size: each run's lease (an UpdateItem, billed on the whole item) and save write it. */
  cursorItemBytes: number;
  /** What the tables hold (attempt states, alert keys), for storage and point-in-time recovery. */
  storedGb: number;
  /** Custom metric streams published in an average hour (metric-hours.ts): CloudWatch bills a metric by the hours it is published in. */
  metricStreamMonths: number;
  /** The watch after the first check, per attempt: own re-checks, waiting passes, later alerts (the list's looks are the pages' reads). */
  watchUsdPerAttempt: number;
  /** The deployment's year (1–3): each yearly rotation of a key's material costs a key more, twice. @default 1 */
  year?: number;
}

const MONTH_DAYS = 30.42;

/**
 * Standing resources of a deployment with one webhook source, one Slack channel, one alert email
 * (test/infra/stack.test.ts holds the counts to that deployment's template).
 */
export const STANDING = {
  kmsKeys: 1,
  secrets: 3,
  /** 15 of the pipeline, and a TriggerSilent per trigger (the source, the EventBridge trigger). */
  alarmMetrics: 17,
  dashboards: 1,
  /** Queues a Lambda event source polls (checks, one Slack buffer). */
  polledQueues: 2,
  /** An idle SQS event source long-polls with five connections, each a 20 s receive. */
  pollersPerQueue: 5,
  longPollSeconds: 20,
  alertEmails: 1,
  actionableShare: 0.6,
  digestsPerMonth: 22,
};

export const monthlyBill = (inputs: BillInputs) => {
  const attempts = inputs.attemptsPerDay * MONTH_DAYS;
  const busy = inputs.attemptsPerDay > 0;
  const runs = (1440 / inputs.intervalMinutes) * MONTH_DAYS;
  const pages = inputs.sweepPagesPerDay * MONTH_DAYS;
  const runSeconds = busy ? inputs.sweepBusyRunSeconds : inputs.sweepIdleRunSeconds;
  const gb = inputs.sweepMemoryMb / 1024;
  const usd = (value: number) => Math.round(value * 100) / 100;
  const items = {
    lambda:
      attempts * inputs.perAttemptUsd.lambda +
      runs * (runSeconds * gb * PRICES.lambdaArmGbSecond.usd + PRICES.lambdaRequest.usd),
    dynamodb:
      attempts * inputs.perAttemptUsd.dynamodb +
      // Each list page: the states it reads (eventually consistent, half a unit each) and a paced
      // slot booked; a look that acts reads its attempt's state again, consistently.
      pages * ((busy ? inputs.statesReadPerPage : 0) * 0.5 * PRICES.dynamoReadUnit.usd + PRICES.dynamoWriteUnit.usd) +
      attempts * inputs.consistentReadsPerAttempt * PRICES.dynamoReadUnit.usd +
      // The cursor's lease and save, every run, each billed on the whole item (its page memos).
      runs * 2 * Math.max(1, Math.ceil(inputs.cursorItemBytes / 1024)) * PRICES.dynamoWriteUnit.usd,
    dynamodbStorage: inputs.storedGb * (PRICES.dynamoStorageGbMonth.usd + PRICES.dynamoPitrGbMonth.usd),
    watch: attempts * inputs.watchUsdPerAttempt,
    sqs:
      attempts * inputs.perAttemptUsd.sqs +
      STANDING.polledQueues *
        STANDING.pollersPerQueue *
        (86_400 / STANDING.longPollSeconds) *
        MONTH_DAYS *
        PRICES.sqsRequest.usd,
    sns:
      attempts * inputs.perAttemptUsd.sns +
      (attempts * STANDING.actionableShare + STANDING.digestsPerMonth) * STANDING.alertEmails * PRICES.snsEmail.usd,
    kms:
      STANDING.kmsKeys *
      (PRICES.kmsKeyMonth.usd + Math.min(Math.max((inputs.year ?? 1) - 1, 0), 2) * PRICES.kmsRotationMonth.usd),
    secretsManager: STANDING.secrets * PRICES.secretMonth.usd + attempts * inputs.perAttemptUsd.secretsManager,
    cloudWatchAlarms: STANDING.alarmMetrics * PRICES.alarmMetricMonth.usd,
    dashboard: STANDING.dashboards * PRICES.dashboardMonth.usd,
    customMetrics: inputs.metricStreamMonths * PRICES.customMetricMonth.usd,
    logs: attempts * inputs.perAttemptUsd.logs + (runs * 2_000 * PRICES.logsIngestedGb.usd) / 1e9,
    // The sweep's schedule is an EventBridge rule (free); the digest's, Scheduler.
    eventBridgeScheduler: STANDING.digestsPerMonth * PRICES.schedulerInvocation.usd,
    apiGateway: attempts * inputs.perAttemptUsd.apiGateway,
  };
  const rounded = Object.fromEntries(Object.entries(items).map(([name, value]) => [name, usd(value)]));
  const total = usd(Object.values(items).reduce((sum, value) => sum + value, 0));
  // Account-level free tiers (always free): what they would take off if nothing else in the account uses them.
  const lambdaGbSeconds = runs * runSeconds * gb;
  const freeTierUsd = {
    lambda: usd(Math.min(items.lambda, 400_000 * PRICES.lambdaArmGbSecond.usd + 1e6 * PRICES.lambdaRequest.usd)),
    sqs: usd(Math.min(items.sqs, 1e6 * PRICES.sqsRequest.usd)),
    dynamodbStorage: usd(Math.min(items.dynamodbStorage, 25 * PRICES.dynamoStorageGbMonth.usd)), // 25 GB stored
    sns: usd(Math.min(items.sns, 1e6 * PRICES.snsPublish.usd + 1_000 * PRICES.snsEmail.usd)),
    dashboard: usd(items.dashboard), // the first 3 dashboards of an account
    customMetricsAndAlarms: usd(Math.min(items.customMetrics + items.cloudWatchAlarms, 10 * 0.3 + 10 * 0.1)),
    eventBridgeScheduler: usd(items.eventBridgeScheduler), // 14 million invocations a month
  };
  return { total, items: rounded, freeTierUsd, sweepLambdaGbSeconds: Math.round(lambdaGbSeconds) };
};

/**
 * Zapier's cited tier for the same alerts (one task per alert delivered): the plan plus overage,
 * or null past the 3x cap (a higher tier, priced by quote, would be needed).
 */
export const zapierMonthlyUsd = (alertsPerMonth: number): number | null => {
  const { planUsd, planTasks, overageFactor } = ALTERNATIVES.zapier;
  if (alertsPerMonth > 3 * planTasks) return null;
  const overage = Math.max(0, alertsPerMonth - planTasks);
  return Math.round(planUsd + overage * (planUsd / planTasks) * overageFactor);
};

/** EventBridge Pipes moving the same events (one request per attempt), its own line only. */
export const pipesMonthlyUsd = (attemptsPerMonth: number) =>
  Math.round(attemptsPerMonth * PRICES.pipesRequest.usd * 100) / 100;
