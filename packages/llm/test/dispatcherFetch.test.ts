import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { Pool } from 'undici';
import { fetchThrough } from '../src/dispatcherFetch.js';

describe('fetchThrough (the SDKs fetch over a keep-alive pool)', () => {
  let server: Server;
  let origin: string;
  let pool: Pool;
  let release: (() => void) | undefined;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        if (req.url === '/echo') {
          const text = JSON.stringify({ method: req.method, auth: req.headers.authorization, body });
          res.writeHead(201, { 'content-type': 'application/json', 'x-multi': ['a', 'b'] });
          res.end(text);
        } else if (req.url === '/gzip') {
          const zipped = gzipSync(JSON.stringify({ ok: true }));
          res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
          res.end(zipped);
        } else if (req.url === '/sse') {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write('data: 1\n\n');
          // the second event waits for the test: the first must arrive before the body ends
          release = () => res.end('data: 2\n\n');
        } else if (req.url === '/empty') {
          res.writeHead(204);
          res.end();
        } else if (req.url === '/form') {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end(String(req.headers['content-type']?.split(';')[0]));
        } else {
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end('{"error":"nope"}');
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    pool = new Pool(origin, { connections: 2 });
  });

  afterAll(async () => {
    await pool.close();
    await new Promise((r) => server.close(r));
  });

  it('sends method, headers and a string body; answers status, headers (repeated ones joined), url and JSON', async () => {
    const r = await fetchThrough(pool, `${origin}/echo`, {
      method: 'post',
      headers: new Headers({ authorization: 'Bearer k', 'content-type': 'application/json' }),
      body: '{"q":1}',
    });
    expect(r.status).toBe(201);
    expect(r.statusText).toBe('Created');
    expect(r.url).toBe(`${origin}/echo`);
    expect(r.headers.get('x-multi')).toBe('a, b');
    await expect(r.json()).resolves.toEqual({ method: 'POST', auth: 'Bearer k', body: '{"q":1}' });
    const missing = await fetchThrough(pool, `${origin}/missing`, { headers: [['x-a', '1']] });
    expect(missing.ok).toBe(false);
    await expect(missing.json()).resolves.toEqual({ error: 'nope' });
  });

  it('decodes gzip, answers 204 without a body, and streams server-sent events as they come', async () => {
    const zipped = await fetchThrough(pool, `${origin}/gzip`);
    expect(zipped.headers.get('content-encoding')).toBeNull();
    await expect(zipped.json()).resolves.toEqual({ ok: true });
    const empty = await fetchThrough(pool, `${origin}/empty`, { method: 'DELETE' });
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
    const sse = await fetchThrough(pool, `${origin}/sse`);
    const reader = sse.body!.getReader();
    const first = await reader.read();
    expect(Buffer.from(first.value!).toString()).toBe('data: 1\n\n');
    release!();
    let rest = '';
    for (let c = await reader.read(); !c.done; c = await reader.read())
      rest += Buffer.from(c.value).toString();
    expect(rest).toBe('data: 2\n\n');
  });

  it('an aborted signal rejects; a FormData body is sent as multipart (as fetch would)', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(fetchThrough(pool, `${origin}/echo`, { signal: controller.signal })).rejects.toThrow();
    const form = new FormData();
    form.set('file', new Blob(['x']), 'x.txt');
    const r = await fetchThrough(pool, `${origin}/form`, { method: 'POST', body: form });
    await expect(r.text()).resolves.toBe('multipart/form-data');
  });
});
