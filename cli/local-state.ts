/**
 * What `npm start` writes to `.local/state.json` so that CLI commands can reach the running local
 * pipeline with no flags. One shape, written by local/start.ts, read here.
 */
import { readFileSync } from 'node:fs';
import type { SourceKind } from '#lib/domain/webhooks/kinds.js';

export interface LocalState {
  motoEndpoint: string;
  checksQueueUrl: string;
  deadLetterQueueUrl: string;
  alertsTopicArn: string;
  /** The alert bus's name, when the local stack has one. */
  alertBusName?: string;
  stateTableName: string;
  slackDeadLetterQueueUrl: string;
  /** Each Slack channel's buffer queue, by channel name. */
  slackBuffers: Record<string, string>;
  iaBaseUrl: string;
  webhookUrl: string;
  /** Local, generated, throwaway secrets: the file is git-ignored and deleted on stop. */
  sources: Array<{ name: string; kind: SourceKind; secretValue: string }>;
  /** The trigger variables the local sweep reads (`TRIGGERS`, `TRIGGER_SILENT_…`). */
  triggerEnv?: Record<string, string>;
  pid: number;
}

export const DEFAULT_LOCAL_STATE_PATH = '.local/state.json';

/**
 * The running local pipeline's state, only when asked for: `--local`, or IA_ALERTS_LOCAL_STATE
 * (which `npm run cli` in this checkout sets). A file left by a crashed `npm start` must not point
 * an installed CLI at localhost.
 */
export const readLocalState = (env: Record<string, string | undefined>, local = false): LocalState | undefined => {
  const path = env.IA_ALERTS_LOCAL_STATE ?? (local ? DEFAULT_LOCAL_STATE_PATH : undefined);
  if (path === undefined) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LocalState;
  } catch {
    return undefined;
  }
};
