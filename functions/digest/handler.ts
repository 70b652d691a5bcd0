/** The digest's Lambda entry: its handler, made once per execution environment (digest-function.ts). */
import { createDigestHandler } from './digest-function.js';

export const handler = createDigestHandler();
