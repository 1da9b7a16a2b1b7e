import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AuthProxy {
  /** The proxy's URL (no trailing slash): open the console here. */
  url: string;
  close(): Promise<void>;
}

export interface AuthProxyOptions {
  /**
   * The console behind the proxy, e.g. `http://127.0.0.1:20001`; a function when the console starts
   * after the proxy (it must know the proxy's Host to allow it: `--allowed-hosts`).
   */
  target: string | (() => string);
  /**
   * What the authenticating proxy adds to every request once it has signed the user in, e.g.
   * `{ authorization: 'Bearer …' }` or `{ 'x-forwarded-user': 'viewer' }`. Headers of the same names sent
   * by the browser are dropped, as a real authenticating proxy does.
   */
  inject: Record<string, string> | (() => Record<string, string>);
  /** The loopback address the proxy connects to the console from (default: the kernel's choice). */
  localAddress?: string;
}

/**
 * A small authenticating reverse proxy on loopback, for the `header` strategy's tests: it stands for
 * oauth2-proxy or an ingress with external auth, forwarding every request to the console with the
 * signed-in user's headers added, and the browser's Host kept (oauth2-proxy's default): the console must
 * allow the proxy's name (`--allowed-hosts`), as it would the public name of a real proxy.
 */
export async function startAuthProxy(options: AuthProxyOptions): Promise<AuthProxy> {
  const targetOf = () => new URL(typeof options.target === 'string' ? options.target : options.target());
  const injectOf = () => (typeof options.inject === 'function' ? options.inject() : options.inject);
  const server: Server = createServer((req, res) => {
    const target = targetOf();
    const inject = injectOf();
    const injected = new Set(Object.keys(inject).map((k) => k.toLowerCase()));
    const headers: IncomingHttpHeaders = {};
    for (const [k, v] of Object.entries(req.headers)) if (!injected.has(k)) headers[k] = v;
    Object.assign(headers, inject);
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers,
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`auth proxy: ${err.message}`);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
