import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
};

export interface StaticOptions {
  basePath?: string;
  /** Answers the requests under `/api/` (same origin as the page), as the console server would. */
  api?: (req: IncomingMessage, res: ServerResponse, path: string) => void;
}

/**
 * Serves a built SPA (apps/web/dist) on loopback under `basePath`, with the SPA fallback to
 * index.html; /api goes to `api` when given (else it is left to the caller: a page route).
 */
export async function serveStatic(
  root: string,
  { basePath = '', api }: StaticOptions = {},
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    let path = decodeURIComponent(url.pathname);
    if (basePath && path.startsWith(basePath)) path = path.slice(basePath.length) || '/';
    if (api && path.startsWith('/api/')) {
      api(req, res, path);
      return;
    }
    const file = normalize(join(root, path));
    const inside = file.startsWith(normalize(root));
    const target = inside && existsSync(file) && statSync(file).isFile() ? file : join(root, 'index.html');
    res.writeHead(200, { 'content-type': TYPES[extname(target)] ?? 'application/octet-stream' });
    createReadStream(target).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${basePath}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
