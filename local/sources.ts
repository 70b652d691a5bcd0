/** The webhook sources of the local stack, one per kind, with freshly generated secrets. */
import { randomBytes } from 'node:crypto';
import type { LocalSource } from './provision.js';

export const localSources = (): LocalSource[] => [
  {
    name: 'webhooks',
    kind: 'standard-webhooks',
    attemptIdPath: 'data.attemptId',
    assignmentIdPath: 'data.assignmentId',
    secretValue: `whsec_${randomBytes(32).toString('base64')}`,
  },
  {
    name: 'greenhouse',
    kind: 'greenhouse',
    attemptIdPath: 'payload.application.custom_fields.ia_attempt_id.value',
    eventTypes: ['candidate_stage_change'],
    secretValue: randomBytes(20).toString('hex'),
  },
  { name: 'lever', kind: 'lever', attemptIdPath: 'data.iaAttemptId', secretValue: randomBytes(20).toString('hex') },
  {
    name: 'ia',
    kind: 'ia-callback',
    attemptIdPath: 'attempt.id',
    assignmentIdPath: 'assignment.id',
    secretValue: randomBytes(20).toString('hex'),
  },
];
