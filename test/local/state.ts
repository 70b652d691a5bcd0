/** Where `npm start` tells helper commands (`npm run enqueue`) how to reach the running pipeline. */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../../.local/', import.meta.url));
const file = `${dir}state.json`;

export interface LocalState {
  motoEndpoint: string;
  checksQueueUrl: string;
  deadLetterQueueUrl: string;
  iaBaseUrl: string;
  webhookUrl: string;
  /** Local, generated, throwaway secrets: this file is git-ignored and deleted on stop. */
  sources: Array<{ name: string; kind: string; secretValue: string }>;
  pid: number;
}

export const writeState = (state: LocalState) => {
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, JSON.stringify(state, null, 2));
};

export const readState = (): LocalState => {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LocalState;
  } catch {
    throw new Error('the local pipeline is not running: start it with `npm start` in another terminal');
  }
};

export const clearState = () => rmSync(file, { force: true });
