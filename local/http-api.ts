/**
 * API Gateway HTTP API on loopback: turns real HTTP requests into payload-v2 events for the
 * `ingest` handler and its results back into responses. Only the stack's routes are served
 * (`POST /events/{source}`, and `POST /claims/slack`, `GET|POST /claims/email` with claims);
 * everything else gets API Gateway's own 404.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { lambdaContext } from './lambda.js';

export type HttpHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

export const DEFAULT_ROUTES = ['POST /events/{source}'];

/** A route key's path as a pattern: `{name}` takes one segment. */
const matcher = (routeKey: string) => {
  const [method, path = ''] = routeKey.split(' ');
  const names: string[] = [];
  const pattern = new RegExp(
    `^${path.replace(/\{(\w+)\}/g, (_, name: string) => {
      names.push(name);
      return '([^/]+)';
    })}$`,
  );
  return (requestMethod: string, pathname: string) => {
    const match = requestMethod === method ? pattern.exec(pathname) : null;
    return match
      ? Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1] ?? '')]))
      : undefined;
  };
};

export const startHttpApi = async (
  handler: HttpHandler,
  port = 0,
  routeKeys: readonly string[] = DEFAULT_ROUTES,
): Promise<{ url: string; server: Server; stop(): Promise<void> }> => {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const method = req.method ?? 'GET';
      // The keys are read at each request: a harness may learn them from the deployment after starting.
      const route = routeKeys
        .map((routeKey) => ({ routeKey, parameters: matcher(routeKey)(method, url.pathname) }))
        .find((r) => r.parameters !== undefined);
      if (!route) {
        res.writeHead(404, { 'content-type': 'application/json' });
        return void res.end('{"message":"Not Found"}');
      }
      const raw = Buffer.concat(chunks);
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(',') : (v ?? '')]),
      );
      // Like API Gateway: text bodies as they are, anything else base64-encoded.
      const textual = /json|text|xml|x-www-form-urlencoded/i.test(headers['content-type'] ?? '');
      const event = {
        version: '2.0',
        routeKey: route.routeKey,
        rawPath: url.pathname,
        rawQueryString: url.search.slice(1),
        headers,
        queryStringParameters: url.search ? Object.fromEntries(url.searchParams) : undefined,
        ...(Object.keys(route.parameters ?? {}).length > 0 ? { pathParameters: route.parameters } : {}),
        requestContext: {
          accountId: '123456789012',
          apiId: 'local',
          domainName: 'localhost',
          domainPrefix: 'localhost',
          http: {
            method,
            path: url.pathname,
            protocol: 'HTTP/1.1',
            sourceIp: req.socket.remoteAddress ?? '',
            userAgent: headers['user-agent'] ?? '',
          },
          requestId: randomUUID(),
          routeKey: route.routeKey,
          stage: '$default',
          time: new Date().toUTCString(),
          timeEpoch: Date.now(),
        },
        body: raw.length === 0 ? undefined : textual ? raw.toString('utf8') : raw.toString('base64'),
        isBase64Encoded: raw.length > 0 && !textual,
      } as APIGatewayProxyEventV2;
      try {
        const result = await handler(event, lambdaContext('ingest', 10_000));
        res.writeHead(result.statusCode ?? 200, (result.headers ?? {}) as Record<string, string>);
        res.end(result.body ?? '');
      } catch {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"message":"Internal Server Error"}');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    server,
    stop: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
};
