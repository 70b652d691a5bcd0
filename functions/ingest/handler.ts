/** The ingest's Lambda entry: its handler, made once per execution environment (ingest-function.ts). */
import { createIngestHandler } from './ingest-function.js';

export const handler = createIngestHandler();
