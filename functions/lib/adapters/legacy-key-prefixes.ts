/**
 * Where alerts' idempotency keys were written before 0.3: Powertools prefixed each key with the
 * name of the function that wrote it, so check and the sweep never saw each other's. Keys are
 * now shared (`IDEMPOTENCY_KEY_PREFIX`); until the old ones expire, an effect done under any of
 * them is done. The function's own name is Lambda's to give; the names of check and the sweep
 * come from an SSM parameter the stack writes with both (their environments cannot name each
 * other: CloudFormation would see a cycle).
 */
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';

export type LegacyPrefixes = () => Promise<readonly string[]>;

/** While the parameter is not there yet (the deployment is still creating it), it is asked again after this. */
const RETRY_MISSING_MS = 60_000;

export const legacyKeyPrefixes = (options: {
  functionName?: string;
  parameter?: { ssm: SSMClient; name: string };
}): LegacyPrefixes => {
  const own = options.functionName ? [options.functionName] : [];
  const { parameter } = options;
  if (!parameter) return async () => own;
  let known: readonly string[] | undefined;
  let askedAt = Number.NEGATIVE_INFINITY;
  return async () => {
    if (known) return known;
    if (Date.now() - askedAt < RETRY_MISSING_MS) return own;
    try {
      const { Parameter } = await parameter.ssm.send(new GetParameterCommand({ Name: parameter.name }));
      const names = (Parameter?.Value ?? '').split(',').map((name) => name.trim());
      known = [...new Set([...own, ...names.filter((name) => name !== '')])];
      return known;
    } catch (error) {
      if ((error as Error).name !== 'ParameterNotFound') throw error;
      askedAt = Date.now();
      return own;
    }
  };
};
