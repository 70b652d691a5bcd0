/** The check's Lambda entry: its handler, made once per execution environment (check-function.ts). */
import { createCheckHandler } from './check-function.js';

export const handler = createCheckHandler();
