/** Where `npm start` tells helper commands (`npm run enqueue`, the CLI) how to reach the running pipeline. */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DEFAULT_LOCAL_STATE_PATH, type LocalState, readLocalState } from '../cli/local-state.js';
import type { LocalResources } from './provision.js';

// IA_ALERTS_LOCAL_STATE, as the CLI reads it: a test runs its own npm start beside a developer's.
const file = process.env.IA_ALERTS_LOCAL_STATE ?? new URL(`../${DEFAULT_LOCAL_STATE_PATH}`, import.meta.url).pathname;

/** The state for provisioned resources: what the CLI needs to reach them, plus how it reaches IA and the webhooks. */
export const stateOf = (
  resources: LocalResources,
  reach: Pick<LocalState, 'motoEndpoint' | 'iaBaseUrl' | 'webhookUrl' | 'sources'>,
): LocalState => ({
  ...reach,
  checksQueueUrl: resources.checksQueueUrl,
  deadLetterQueueUrl: resources.deadLetterQueueUrl,
  alertsTopicArn: resources.alertsTopicArn,
  ...(resources.alertBusArn ? { alertBusName: resources.alertBusArn.split('/').pop() as string } : {}),
  stateTableName: resources.stateTableName,
  slackDeadLetterQueueUrl: resources.notifyDeadLetterQueueUrl,
  slackBuffers: Object.fromEntries(resources.slackChannels.map((c) => [c.name, c.queueUrl])),
  pid: process.pid,
});

export const writeState = (state: LocalState) => {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(state, null, 2));
};

export const readState = (): LocalState => {
  const state = readLocalState({ IA_ALERTS_LOCAL_STATE: file });
  if (!state) throw new Error('the local pipeline is not running: start it with `npm start` in another terminal');
  return state;
};

export const clearState = () => rmSync(file, { force: true });
