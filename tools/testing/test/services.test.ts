import { createServer, type Server } from 'node:net';
import { tcpReachable } from '../src/index.js';

describe('tcpReachable', () => {
  let server: Server;
  let port: number;

  beforeAll(async () => {
    server = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('sees a listening server', () => {
    expect(tcpReachable('127.0.0.1', port)).toBe(true);
  });

  it('sees a closed port as unreachable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(tcpReachable('127.0.0.1', closedPort, 300)).toBe(false);
  });
});
