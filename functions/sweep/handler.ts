/** The sweep's Lambda entry: its handler, made once per execution environment (sweep-function.ts). */
import { createSweepHandler } from './sweep-function.js';

export const handler = createSweepHandler();
