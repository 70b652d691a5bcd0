// @ts-check
/**
 * Leaves out mutants inside log and metric calls (`log.info(…)`, `deps.count('…')`): they change
 * what an operator reads, not what the pipeline does, and no test pins every log line. Errors that
 * reach a dead letter's `failureReason` are not calls of these and stay mutated.
 */
import { declareClassPlugin, PluginKind } from '@stryker-mutator/api/plugin';

const LOGGERS = new Set(['log', 'logger']);
const LOG_LEVELS = new Set(['debug', 'info', 'warn', 'error']);

/** @param {import('@babel/core').types.Node} callee */
const isLogCall = (callee) => {
  if (callee.type !== 'MemberExpression' || callee.property.type !== 'Identifier') return false;
  const object = callee.object;
  const name =
    object.type === 'Identifier'
      ? object.name
      : object.type === 'MemberExpression' && object.property.type === 'Identifier'
        ? object.property.name
        : undefined;
  return (
    (name !== undefined && LOGGERS.has(name) && LOG_LEVELS.has(callee.property.name)) ||
    callee.property.name === 'count'
  );
};

class LogCallsIgnorer {
  /** @param {import('@babel/core').NodePath} path */
  shouldIgnore(path) {
    if (
      path.isExpressionStatement() &&
      path.node.expression.type === 'CallExpression' &&
      isLogCall(path.node.expression.callee)
    )
      return 'a log line or metric: what an operator reads, not what the pipeline does';
    return undefined;
  }
}

export const strykerPlugins = [declareClassPlugin(PluginKind.Ignore, 'log-calls', LogCallsIgnorer)];
