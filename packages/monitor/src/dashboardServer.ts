import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { AlertEngine } from './alertEngine.js';
import { buildDashboardData, buildDashboardSeries, type DashboardData } from './dashboardData.js';
import { DASHBOARD_CSS, DASHBOARD_JS, dashboardHtml } from './dashboardPage.js';
import type { MetricsReader } from './metricsReader.js';
import { MonitorError } from './monitorError.js';
import { parseOptions } from './options.js';
import type { TrendAnalyzer } from './trendAnalyzer.js';

const optionsSchema = z
  .object({
    reader: z.custom<MetricsReader>((v) => typeof v === 'object' && v !== null && 'summary' in v),
    alerts: z.custom<AlertEngine>((v) => typeof v === 'object' && v !== null && 'active' in v).optional(),
    trends: z.custom<TrendAnalyzer>((v) => typeof v === 'object' && v !== null && 'analyze' in v).optional(),
    /** Interface to bind; loopback by default. Binding elsewhere without a token is refused. */
    host: z.string().default('127.0.0.1'),
    /** 0 picks a free port. */
    port: z.number().int().min(0).max(65535).default(0),
    /** When set, every data request needs `Authorization: Bearer <token>`. */
    token: z.string().min(16, 'use at least 16 characters').optional(),
    /** Allow a non-loopback host without a token (not recommended). */
    allowUnauthenticatedRemote: z.boolean().default(false),
    title: z.string().default('hp performance dashboard'),
    serviceName: z.string().optional(),
    /** Longest chart window a client may ask for, seconds. */
    maxWindowSeconds: z.number().positive().default(86_400),
  })
  .loose();
export type DashboardOptions = z.input<typeof optionsSchema>;

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

let vendorCache: { js: Buffer; css: Buffer } | undefined;
function vendor(): { js: Buffer; css: Buffer } {
  if (!vendorCache) {
    // uPlot's prebuilt browser files, straight from node_modules: nothing is built or downloaded.
    const req = createRequire(__filename);
    vendorCache = {
      js: readFileSync(req.resolve('uplot/dist/uPlot.iife.min.js')),
      css: readFileSync(req.resolve('uplot/dist/uPlot.min.css')),
    };
  }
  return vendorCache;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/**
 * The live dashboard: an HTTP server (loopback by default) serving the sketch's dashboard sections as
 * JSON at /api/dashboard, chart series at /api/series, and a web page with uPlot charts at /.
 */
export class DashboardServer {
  private readonly _o: z.output<typeof optionsSchema>;
  private readonly _server: Server;
  private readonly _token: Buffer | undefined;
  private _url: string | undefined;
  private _closing: Promise<void> | undefined;

  constructor(options: DashboardOptions) {
    this._o = parseOptions(optionsSchema, options, 'DashboardServer');
    if (!LOOPBACK.has(this._o.host) && !this._o.token && !this._o.allowUnauthenticatedRemote) {
      throw new MonitorError(
        'INVALID_OPTION',
        `Refusing to serve the dashboard on ${this._o.host} without a token: set \`token\` (or bind 127.0.0.1).`,
        'token',
      );
    }
    this._token = this._o.token ? digest(this._o.token) : undefined;
    this._server = createServer((req, res) => this._handle(req, res));
  }

  /** Starts listening; resolves with the page URL. An aborted `signal` closes the server and rejects. */
  async listen(options: { signal?: AbortSignal } = {}): Promise<string> {
    const { signal } = options;
    signal?.throwIfAborted();
    if (this._url) return this._url;
    if (this._closing) throw new MonitorError('CLOSED', 'This dashboard is closed; create a new one.');
    const { host, port } = this._o;
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this._server.off('error', reject);
        this._server.close();
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this._server.once('error', reject);
      this._server.listen({ host, port }, () => {
        signal?.removeEventListener('abort', onAbort);
        this._server.off('error', reject);
        resolve();
      });
    });
    const actual = (this._server.address() as AddressInfo).port;
    this._url = `http://${host.includes(':') ? `[${host}]` : host}:${actual}/`;
    return this._url;
  }

  get url(): string | undefined {
    return this._url;
  }

  get port(): number | undefined {
    const a = this._server.address();
    return a && typeof a === 'object' ? a.port : undefined;
  }

  /** The dashboard's JSON, as served at /api/dashboard. */
  data(): DashboardData {
    return buildDashboardData({
      reader: this._o.reader,
      alerts: this._o.alerts,
      trends: this._o.trends,
      serviceName: this._o.serviceName,
    });
  }

  close(): Promise<void> {
    this._closing ??= new Promise<void>((resolve) => {
      this._server.closeAllConnections();
      if (!this._server.listening) return resolve();
      this._server.close(() => resolve());
    });
    return this._closing;
  }

  private _authorized(req: IncomingMessage): boolean {
    if (!this._token) return true;
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header);
    if (!m) return false;
    return timingSafeEqual(digest(m[1]!.trim()), this._token);
  }

  private _handle(req: IncomingMessage, res: ServerResponse): void {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    // Bound to loopback: refuse foreign Host headers (DNS rebinding).
    if (LOOPBACK.has(this._o.host)) {
      const hostHeader = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
      if (!LOOPBACK.has(hostHeader)) {
        res.writeHead(421).end('Misdirected request');
        return;
      }
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const send = (status: number, type: string, body: string | Buffer, cache = 'no-store') => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': cache });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    switch (url.pathname) {
      case '/':
      case '/index.html':
        res.setHeader(
          'Content-Security-Policy',
          "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:",
        );
        return send(200, 'text/html; charset=utf-8', dashboardHtml(this._o.title));
      case '/dashboard.js':
        return send(200, 'text/javascript; charset=utf-8', DASHBOARD_JS);
      case '/dashboard.css':
        return send(200, 'text/css; charset=utf-8', DASHBOARD_CSS);
      case '/vendor/uPlot.iife.min.js':
        return send(200, 'text/javascript; charset=utf-8', vendor().js, 'public, max-age=86400');
      case '/vendor/uPlot.min.css':
        return send(200, 'text/css; charset=utf-8', vendor().css, 'public, max-age=86400');
      case '/api/dashboard':
      case '/api/series': {
        if (!this._authorized(req)) {
          res.setHeader('WWW-Authenticate', 'Bearer realm="hp-dashboard"');
          return send(
            401,
            'application/json',
            JSON.stringify({ error: 'unauthorized: send Authorization: Bearer <token>' }),
          );
        }
        if (url.pathname === '/api/dashboard')
          return send(200, 'application/json', JSON.stringify(this.data()));
        const requested = Number(url.searchParams.get('window') ?? 3600);
        const window = Math.min(
          this._o.maxWindowSeconds,
          Number.isFinite(requested) && requested > 0 ? requested : 3600,
        );
        return send(200, 'application/json', JSON.stringify(buildDashboardSeries(this._o.reader, window)));
      }
      default:
        return send(404, 'application/json', JSON.stringify({ error: 'not found' }));
    }
  }
}

/** Creates a DashboardServer and starts it; an aborted `signal` rejects and leaves nothing open. */
export async function startDashboard(
  options: DashboardOptions,
  { signal }: { signal?: AbortSignal } = {},
): Promise<DashboardServer> {
  signal?.throwIfAborted();
  const server = new DashboardServer(options);
  try {
    await server.listen({ signal });
  } catch (error) {
    await server.close();
    throw error;
  }
  return server;
}
