/**
 * An AWS endpoint that answers every call the functions make at once, with success: the
 * benchmark measures our code, not moto's (a Python emulator) speed. SQS, DynamoDB and Secrets
 * Manager speak JSON over `x-amz-target`; SNS speaks the query protocol and answers XML.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

type AttributeValue = {
  S?: string;
  N?: string;
  B?: string;
  BOOL?: boolean;
  NULL?: boolean;
  M?: Record<string, AttributeValue>;
  L?: AttributeValue[];
  SS?: string[];
};

/** DynamoDB's item size rules, closely enough to count capacity units: names plus values. */
const valueSize = (value: AttributeValue): number => {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.replace(/^-|\.|^0+/g, '').length / 2) + 1;
  if (value.B !== undefined) return Buffer.from(value.B, 'base64').length;
  if (value.M) return 3 + itemSize(value.M) + Object.keys(value.M).length;
  if (value.L) return 3 + value.L.reduce((sum, v) => sum + valueSize(v) + 1, 0);
  if (value.SS) return value.SS.reduce((sum, v) => sum + Buffer.byteLength(v), 0);
  return 1;
};
export const itemSize = (item: Record<string, AttributeValue>) =>
  Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + valueSize(value), 0);

interface WriteRequest {
  Item?: Record<string, AttributeValue>;
  Key?: Record<string, AttributeValue>;
  ExpressionAttributeValues?: Record<string, AttributeValue>;
}

export interface InstantAws {
  endpoint: string;
  /** Calls per action, e.g. `PutItem`, plus `dynamodb.writeUnits` and `dynamodb.readUnits`. */
  calls: Map<string, number>;
  largestItemBytes(): number;
  server: Server;
}

/**
 * `secrets` maps secret names to their values; `items` answers GetItem (nothing stored otherwise),
 * e.g. to put a watched attempt's state in front of `check`.
 */
export const startInstantAws = async (
  secrets: Record<string, string>,
  items: (table: string, key: Record<string, AttributeValue>) => Record<string, AttributeValue> | undefined = () =>
    undefined,
): Promise<InstantAws> => {
  const calls = new Map<string, number>();
  let largestItemBytes = 0;
  const count = (key: string, n = 1) => calls.set(key, (calls.get(key) ?? 0) + n);

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const target = String(req.headers['x-amz-target'] ?? '');
      const action = target.split('.').pop() || new URLSearchParams(body).get('Action') || 'unknown';
      count(action);
      if (action === 'PutItem' || action === 'UpdateItem' || action === 'DeleteItem') {
        // An update is billed on the whole item; the items updated here (idempotency records) are
        // small, so key + new values is close enough and never crosses 1 KB unnoticed.
        const request = JSON.parse(body) as WriteRequest;
        const size = itemSize(request.Item ?? { ...request.Key, ...request.ExpressionAttributeValues });
        count('dynamodb.writeUnits', Math.max(1, Math.ceil(size / 1024)));
        largestItemBytes = Math.max(largestItemBytes, size);
      }
      if (action === 'GetItem')
        count('dynamodb.readUnits', (JSON.parse(body) as { ConsistentRead?: boolean }).ConsistentRead ? 1 : 0.5);
      const json = (payload: object) => {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify(payload));
      };
      switch (action) {
        case 'GetSecretValue': {
          const { SecretId = '' } = JSON.parse(body) as { SecretId?: string };
          return json({
            ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${SecretId}`,
            Name: SecretId,
            SecretString: secrets[SecretId] ?? '',
          });
        }
        case 'SendMessage': {
          const { MessageBody = '' } = JSON.parse(body) as { MessageBody?: string };
          return json({ MessageId: randomUUID(), MD5OfMessageBody: md5(MessageBody) });
        }
        case 'SendMessageBatch': {
          const { Entries = [] } = JSON.parse(body) as { Entries?: Array<{ Id: string; MessageBody: string }> };
          return json({
            Successful: Entries.map((e) => ({
              Id: e.Id,
              MessageId: randomUUID(),
              MD5OfMessageBody: md5(e.MessageBody),
            })),
            Failed: [],
          });
        }
        case 'Publish':
          res.writeHead(200, { 'content-type': 'text/xml' });
          return void res.end(
            `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
          );
        case 'GetItem': {
          const { TableName = '', Key = {} } = JSON.parse(body) as {
            TableName?: string;
            Key?: Record<string, AttributeValue>;
          };
          const Item = items(TableName, Key);
          return json(Item ? { Item } : {});
        }
        default:
          // PutItem, UpdateItem, DeleteItem, ChangeMessageVisibility, ...
          return json({});
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    largestItemBytes: () => largestItemBytes,
    server,
  };
};
