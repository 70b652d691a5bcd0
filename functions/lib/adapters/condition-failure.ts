import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/** A conditional write lost: by class, or by name when another copy of the SDK threw it. */
export const isConditionFailure = (error: unknown) =>
  error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException';
