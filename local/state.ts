/** Where `npm start` tells helper commands (`npm run enqueue`, the CLI) how to reach the running pipeline. */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DEFAULT_LOCAL_STATE_PATH, type LocalState, readLocalState } from '../cli/local-state.js';

const file = new URL(`../${DEFAULT_LOCAL_STATE_PATH}`, import.meta.url).pathname;

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
