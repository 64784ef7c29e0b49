import { createServer, type IncomingHttpHeaders } from 'node:http';
import { type AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  /** JSON body */
  json?: unknown;
  /** raw server-sent events: each string is written as is */
  sse?: string[];
  /** destroy the socket without answering */
  reset?: boolean;
}

export interface FakeServer {
  url: string;
  requests: RecordedRequest[];
  reply: (fn: (req: RecordedRequest) => FakeReply) => void;
  close: () => Promise<void>;
}

/** A local HTTP server answering recorded-shape provider responses, for SDK tests without a network. */
export async function startFakeServer(): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  let handler: (req: RecordedRequest) => FakeReply = () => ({ status: 404, json: {} });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const rec: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
      };
      requests.push(rec);
      const reply = handler(rec);
      if (reply.reset) {
        req.socket.destroy();
        return;
      }
      if (reply.sse) {
        res.writeHead(reply.status ?? 200, { 'content-type': 'text/event-stream', ...reply.headers });
        res.end(reply.sse.join(''));
        return;
      }
      const body = JSON.stringify(reply.json ?? {});
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    reply: (fn) => {
      handler = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
