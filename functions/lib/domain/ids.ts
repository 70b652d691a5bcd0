/**
 * What an IA id may look like wherever one enters (webhook payloads, queue messages, IA's own
 * answers, the CLI): ids land in URL paths, DynamoDB keys, SNS attributes and alerts, so they are
 * kept to the characters IA uses.
 */
export const IA_ID = /^[A-Za-z0-9_-]{1,128}$/;

export const isIaId = (value: string): boolean => IA_ID.test(value);
