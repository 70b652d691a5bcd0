/**
 * What an IA id may look like wherever one enters (webhook payloads, queue messages, IA's own
 * answers, the CLI): ids land in URL paths, DynamoDB keys, SNS attributes and alerts, so they are
 * kept to the characters IA uses.
 */
export const IA_ID = /^[A-Za-z0-9_-]{1,128}$/;

export const isIaId = (value: string): boolean => IA_ID.test(value);

/** An IA account's name (`iaAccounts`): it prefixes state keys, so it never holds `:`. */
export const ACCOUNT_NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** The one account of a deployment without `iaAccounts`: its keys are the bare ids. */
export const DEFAULT_ACCOUNT = 'default';
