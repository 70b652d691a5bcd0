/**
 * Claims in the template: the routes, the secret, and what each role may do with them. No local
 * run can check IAM (moto enforces none), so the least privilege of claims is held here.
 */
import { describe, expect, it } from '@jest/globals';
import type { Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CLAIM_ATTRIBUTES } from '../../functions/lib/domain/claims/claim.js';
import type { ReviewAlerts } from '../../infra/index.js';
import { lambdaVariables, userStack } from '../support/user-stack.js';

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };

/** The statements of a role's policies in the template. */
const statementsOf = (template: Template, stack: Stack, role: iam.IRole | undefined): Statement[] => {
  const roleId = stack.getLogicalId(role?.node.defaultChild as never);
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p).includes(`"Ref":"${roleId}"`))
    .flatMap(
      (p) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
    );
};

const actionsOf = (statements: Statement[]) =>
  [...new Set(statements.flatMap((st) => ([] as string[]).concat(st.Action)))].sort();

/** A role's statements on the state table, but the trigger-health counters every ingest keeps (trigger#… only). */
const onStateTable = (alerts: ReviewAlerts, stack: Stack, statements: Statement[]) => {
  const tableId = stack.getLogicalId(alerts.stateTable.node.defaultChild as never);
  return statements.filter(
    (st) =>
      JSON.stringify(st.Resource).includes(`"${tableId}"`) && !JSON.stringify(st.Condition ?? {}).includes('trigger#*'),
  );
};

const CLAIM_CONDITION = {
  'ForAllValues:StringEquals': { 'dynamodb:Attributes': [...CLAIM_ATTRIBUTES] },
  StringEqualsIfExists: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES', 'dynamodb:ReturnValues': 'NONE' },
};

describe('claims', () => {
  const built = userStack({ claims: true, slackChannels: [{ name: 'reviews' }], alertEmails: ['ops@example.com'] });
  const template = built.template();

  it('serves the Slack button and the email link on the webhook API, and nothing else new', () => {
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
      (r) => (r as { Properties: { RouteKey: string } }).Properties.RouteKey,
    );
    expect(routes.sort()).toEqual([
      'GET /claims/email',
      'POST /claims/email',
      'POST /claims/slack',
      'POST /events/{source}',
    ]);
    template.hasOutput('*', { Description: Match.stringLikeRegexp('interactivity request URL') });
  });

  it("lists the claims on the dashboard from ingest's log lines", () => {
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard);
    expect(body).toMatch(/filter message = .*claim recorded/);
    expect(body).toContain('Claims (I');
  });

  it('generates the links key and leaves the Slack signing secret to fill in', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({
        SecretStringTemplate: '{"slackSigningSecret":""}',
        GenerateStringKey: 'linkKey',
      }),
    });
  });

  it('lets ingest read and write only the claim attributes of the state table', () => {
    const { alerts, stack } = built;
    const statements = statementsOf(template, stack, alerts.ingestFunction.role);
    const onState = onStateTable(alerts, stack, statements);
    expect(onState).toEqual([expect.objectContaining({ Condition: CLAIM_CONDITION })]);
    expect(actionsOf(onState)).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    const ingest = lambdaVariables(template).find((v) => v.DEDUPE_TABLE_NAME) as Record<string, unknown>;
    expect(ingest).toMatchObject({ CLAIMS_SECRET_NAME: expect.anything(), STATE_TABLE_NAME: expect.anything() });
  });

  it('gives check and the sweep the links (their key to sign with), the digest nothing of claims', () => {
    const withLinks = lambdaVariables(template).filter((v) => v.CLAIM_LINK_URL);
    expect(withLinks).toHaveLength(2);
    for (const variables of withLinks) expect(JSON.stringify(variables.CLAIM_LINK_URL)).toContain('/claims/email');
    const digest = lambdaVariables(template).find((v) => v.ALERTS_TOPIC_ARN && !v.CHECKS_QUEUE_URL);
    expect(digest).not.toHaveProperty('CLAIMS_SECRET_NAME');
  });

  it('puts the button on the Slack channels', () => {
    const notify = lambdaVariables(template).find((v) => v.SLACK_CHANNELS) as { SLACK_CHANNELS: unknown };
    expect(JSON.stringify(notify.SLACK_CHANNELS)).toContain('\\"claimButtons\\":true');
  });

  it("lets a GovSlack channel's button be answered on its own origin (added after construction too)", () => {
    const ingestOf = (t: Template) => lambdaVariables(t).find((v) => v.DEDUPE_TABLE_NAME) as Record<string, unknown>;
    expect(ingestOf(template)).not.toHaveProperty('SLACK_ORIGINS');
    const gov = userStack({ claims: true, slackChannels: [{ name: 'reviews' }] });
    gov.alerts.addSlackChannel({ name: 'gov', webhookOrigin: 'https://hooks.slack-gov.com' });
    expect(ingestOf(gov.template())).toMatchObject({
      SLACK_ORIGINS: 'https://hooks.slack.com,https://hooks.slack-gov.com',
    });
    const off = userStack({ slackChannels: [{ name: 'gov', webhookOrigin: 'https://hooks.slack-gov.com' }] });
    expect(ingestOf(off.template())).not.toHaveProperty('SLACK_ORIGINS');
  });

  it('lets an operator (grantOperate) claim the same way, and never put a whole state item', () => {
    const { alerts, stack, template: operated } = userStack({ claims: true });
    const role = new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
    alerts.grantOperate(role);
    const onState = onStateTable(alerts, stack, statementsOf(operated(), stack, role));
    expect(actionsOf(onState)).not.toContain('dynamodb:PutItem');
    expect(onState).toContainEqual(
      expect.objectContaining({ Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], Condition: CLAIM_CONDITION }),
    );
  });

  it('is off by default: no routes, no secret, no state-table access for ingest, no buttons', () => {
    const plain = userStack({ slackChannels: [{ name: 'reviews' }] });
    const t = plain.template();
    const routes = Object.values(t.findResources('AWS::ApiGatewayV2::Route'));
    expect(routes).toHaveLength(1);
    expect(
      onStateTable(plain.alerts, plain.stack, statementsOf(t, plain.stack, plain.alerts.ingestFunction.role)),
    ).toEqual([]);
    expect(JSON.stringify(lambdaVariables(t))).not.toMatch(/CLAIM|claimButtons/);
    expect(plain.alerts.claimsUrl).toBeUndefined();
  });
});
