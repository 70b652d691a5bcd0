/**
 * An AWS endpoint that answers every call the functions make at once, with success: the
 * benchmark measures our code, not moto's (a Python emulator) speed. SQS, DynamoDB and Secrets
 * Manager speak JSON over `x-amz-target`; SNS speaks the query protocol and answers XML.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

/** `secrets` maps secret names to their values. */
export const startInstantAws = async (secrets: Record<string, string>): Promise<{ endpoint: string; calls: Map<string, number>; server: Server }> => {
  const calls = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const target = String(req.headers['x-amz-target'] ?? '');
      const action = target.split('.').pop() || new URLSearchParams(body).get('Action') || 'unknown';
      calls.set(action, (calls.get(action) ?? 0) + 1);
      const json = (payload: object) => {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify(payload));
      };
      switch (action) {
        case 'GetSecretValue': {
          const { SecretId = '' } = JSON.parse(body) as { SecretId?: string };
          return json({ ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${SecretId}`, Name: SecretId, SecretString: secrets[SecretId] ?? '' });
        }
        case 'SendMessage': {
          const { MessageBody = '' } = JSON.parse(body) as { MessageBody?: string };
          return json({ MessageId: randomUUID(), MD5OfMessageBody: md5(MessageBody) });
        }
        case 'SendMessageBatch': {
          const { Entries = [] } = JSON.parse(body) as { Entries?: Array<{ Id: string; MessageBody: string }> };
          return json({ Successful: Entries.map((e) => ({ Id: e.Id, MessageId: randomUUID(), MD5OfMessageBody: md5(e.MessageBody) })), Failed: [] });
        }
        case 'Publish':
          res.writeHead(200, { 'content-type': 'text/xml' });
          return void res.end(
            `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
          );
        default:
          // GetItem (nothing stored), PutItem, UpdateItem, DeleteItem, ChangeMessageVisibility, ...
          return json({});
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls, server };
};
