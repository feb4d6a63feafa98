// A TCP proxy between the server and PostgreSQL that a test can cut (every socket reset, the
// port closed: a failover or a network reset) or black-hole (sockets kept open, nothing
// forwarded either way: a database that hangs), and then restore on the same port. `tap` sees
// what each client sends (one tap per connection), e.g. to count PostgreSQL statements.
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  /** Resets every connection and stops listening, as a dead database host does. */
  cut(): Promise<void>;
  /** Keeps every connection open, new ones too, but forwards nothing. */
  blackHole(): void;
  /** Listens again on the same port and forwards as before. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(
  target: { host: string; port: number },
  tap?: () => (chunk: Buffer) => void,
): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let holding = false;
  let server: Server | undefined;
  let port = 0;

  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const onConnection = (client: Socket) => {
    track(client);
    if (holding) return; // accepted, never answered
    const upstream = connect(target.port, target.host);
    track(upstream);
    if (tap !== undefined) client.on('data', tap());
    const forward = (from: Socket, to: Socket) =>
      from.on('data', (chunk: Buffer) => {
        if (!holding) to.write(chunk);
      });
    forward(client, upstream);
    forward(upstream, client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  };
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const next = createServer(onConnection);
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => {
        server = next;
        const address = next.address();
        if (address !== null && typeof address === 'object') port = address.port;
        resolve();
      });
    });
  const stopListening = () =>
    new Promise<void>((resolve) => {
      const current = server;
      server = undefined;
      if (current === undefined) resolve();
      else current.close(() => resolve());
    });

  await listen();
  return {
    get port() {
      return port;
    },
    async cut() {
      const closed = stopListening();
      for (const socket of sockets) socket.resetAndDestroy();
      await closed;
    },
    blackHole() {
      holding = true;
    },
    async restore() {
      holding = false;
      if (server === undefined) await listen();
    },
    async close() {
      const closed = stopListening();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
