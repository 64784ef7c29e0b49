import { STATUS_CODES } from 'node:http';
import { pipeline, Readable } from 'node:stream';
import { type ReadableStream as NodeReadableStream } from 'node:stream/web';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { type Dispatcher } from 'undici';
import { nextResponseTurn } from './responseTurns.js';

/** Statuses whose Response must have no body (the Response constructor throws otherwise). */
const NULL_BODY = new Set([204, 205, 304]);

const DECODERS: Record<string, () => NodeJS.ReadWriteStream> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/**
 * `fetch(input, init)` for the SDKs over undici's `dispatcher.request()` (the same keep-alive pool). undici's
 * WHATWG `fetch` builds a Request, web streams per body and runs the fetch algorithm's bookkeeping on every
 * call: on this 2-core machine about half of the CPU an SDK call costs (benchmark/RESULTS.md). What the LLM
 * SDKs need is kept: string, byte, stream, FormData and Blob bodies, the caller's AbortSignal, gzip / deflate
 * / br answers decoded. Not kept: redirects (LLM APIs answer in place) and fetch's CORS / cache modes. Answers
 * of known length (JSON) are read whole before the Response is built (the SDK reads them whole anyway);
 * server-sent events and bodies of unknown length stay streamed.
 */
export async function fetchThrough(
  dispatcher: Dispatcher,
  input: string | URL | Request,
  init?: RequestInit,
): Promise<Response> {
  const request = typeof input === 'string' || input instanceof URL ? undefined : input;
  const url = new URL(request ? request.url : input.toString());
  const method = (init?.method ?? request?.method ?? 'GET').toUpperCase();
  const headers = request
    ? { ...plainHeaders(request.headers), ...plainHeaders(init?.headers) }
    : plainHeaders(init?.headers);
  const r = await dispatcher.request({
    origin: url.origin,
    path: url.pathname + url.search,
    method: method as Dispatcher.HttpMethod,
    headers,
    body: requestBody(init?.body ?? request?.body, headers),
    signal: init?.signal ?? request?.signal ?? null,
  });
  const answer = responseHeaders(r.headers);
  const meta = { status: r.statusCode, statusText: STATUS_CODES[r.statusCode] ?? '', headers: answer };
  if (NULL_BODY.has(r.statusCode) || method === 'HEAD') {
    r.body.resume();
    return withUrl(new Response(null, meta), url);
  }
  const decoder = DECODERS[answer.get('content-encoding')?.trim().toLowerCase() ?? ''];
  const type = answer.get('content-type') ?? '';
  if (!decoder && answer.has('content-length') && !type.includes('event-stream')) {
    const bytes = new Uint8Array(await r.body.arrayBuffer());
    await nextResponseTurn();
    return withUrl(new Response(bytes, meta), url);
  }
  if (decoder) {
    answer.delete('content-encoding');
    answer.delete('content-length');
  }
  const body = decoder ? pipeline(r.body, decoder(), () => undefined) : r.body;
  const stream = Readable.toWeb(body as Readable) as ReadableStream<Uint8Array>;
  return withUrl(new Response(stream, meta), url);
}

function plainHeaders(headers: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  if (headers instanceof Headers) {
    headers.forEach((v, k) => {
      out[k] = v;
    });
  } else if (Array.isArray(headers)) {
    for (const [k, v] of headers) out[k!.toLowerCase()] = v!;
  } else {
    for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k.toLowerCase()] = String(v);
  }
  return out;
}

function responseHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const h = new Headers();
  for (const k in raw) {
    const v = raw[k];
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const one of v) h.append(k, one);
    else h.append(k, v);
  }
  return h;
}

/**
 * A body dispatcher.request() takes: strings and bytes as they are, streams as Node streams; FormData, Blob,
 * URLSearchParams and ArrayBuffer encoded as fetch would (with their content-type, e.g. the multipart
 * boundary, unless the caller set one).
 */
function requestBody(
  body: RequestInit['body'] | undefined,
  headers: Record<string, string>,
): string | Uint8Array | Readable | null {
  if (body === undefined || body === null) return null;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (body instanceof ReadableStream) return Readable.fromWeb(body as NodeReadableStream<Uint8Array>);
  if (typeof (body as Partial<AsyncIterable<Uint8Array>>)[Symbol.asyncIterator] === 'function') {
    return Readable.from(body as unknown as AsyncIterable<Uint8Array>);
  }
  const encoded = new Response(body);
  const type = encoded.headers.get('content-type');
  if (type && headers['content-type'] === undefined) headers['content-type'] = type;
  return encoded.body ? Readable.fromWeb(encoded.body as NodeReadableStream<Uint8Array>) : null;
}

/** A built Response has an empty url; the SDKs log it. */
function withUrl(response: Response, url: URL): Response {
  Object.defineProperty(response, 'url', { value: url.href });
  return response;
}
