/**
 * A TCP relay on loopback in front of a real server, that can start hanging: after hang(), connections
 * (open ones and new ones) are kept open and never answered, as when an API server or Prometheus hangs or
 * the network drops packets. resume() resets what was cut off and relays again.
 */
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

export interface Valve {
  port: number;
  url(scheme?: string): string;
  hang(): void;
  resume(): void;
  close(): Promise<void>;
}

export async function startValve(target: { host: string; port: number }): Promise<Valve> {
  let hung = false;
  /** Sockets that saw the hang: reset on resume (their streams lost bytes). */
  const cut = new Set<Socket>();
  const open = new Set<Socket>();
  const track = (s: Socket) => {
    open.add(s);
    s.on('close', () => {
      open.delete(s);
      cut.delete(s);
    });
    s.on('error', () => s.destroy());
  };
  const server = createServer((client) => {
    track(client);
    if (hung) {
      cut.add(client); // accepted, never answered
      return;
    }
    const upstream = connect(target.port, target.host);
    track(upstream);
    client.on('data', (d: Buffer) => {
      if (!hung) upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => {
      if (!hung) client.write(d);
    });
    client.on('end', () => {
      if (!hung) upstream.end();
    });
    upstream.on('end', () => {
      if (!hung) client.end();
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => {
      if (!hung) client.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (scheme = 'http') => `${scheme}://127.0.0.1:${port}`,
    hang() {
      hung = true;
      for (const s of open) cut.add(s);
    },
    resume() {
      hung = false;
      for (const s of cut) s.destroy();
      cut.clear();
    },
    async close() {
      for (const s of open) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
