import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Response, type Router } from 'express';
import { RUNTIME_CONFIG_GLOBAL, type RuntimeConfig } from '@meshlens/contract';
import { defaultWebDir } from '../paths';

/** index.html with `<base href>` and the runtime config, so the SPA works under any prefix. */
export function injectIndex(html: string, runtime: RuntimeConfig): string {
  const base = `<base href="${runtime.basePath}/">`;
  const script = `<script>window.${RUNTIME_CONFIG_GLOBAL}=${JSON.stringify(runtime).replace(/</g, '\\u003c')};</script>`;
  const withoutBase = html.replace(/<base\s[^>]*>/i, '');
  return /<head[^>]*>/i.test(withoutBase)
    ? withoutBase.replace(/<head[^>]*>/i, (m) => `${m}\n    ${base}\n    ${script}`)
    : `${base}${script}${withoutBase}`;
}

/**
 * Serves the built SPA: files as they are (hashed assets cached for a year), and index.html (injected)
 * for any other GET that wants HTML, so client-side routes survive a reload. `/index.html` itself is
 * the injected page too, never the raw file: without its `<base href>` and runtime config the SPA breaks
 * under a base path.
 */
export function spaRouter(webDir: string | undefined, runtime: RuntimeConfig): Router {
  const dir = webDir ?? defaultWebDir();
  const router = express.Router();
  const indexPath = join(dir, 'index.html');
  let cached: { mtimeMs: number; html: string } | undefined;
  const index = (): string | undefined => {
    if (!existsSync(indexPath)) return undefined;
    const mtimeMs = statSync(indexPath).mtimeMs;
    if (cached?.mtimeMs !== mtimeMs)
      cached = { mtimeMs, html: injectIndex(readFileSync(indexPath, 'utf8'), runtime) };
    return cached.html;
  };
  const sendIndex = (res: Response): void => {
    const html = index();
    res.setHeader('cache-control', 'no-cache');
    if (html === undefined) {
      res
        .status(200)
        .type('html')
        .send(
          '<!doctype html><title>meshlens</title><p>meshlens API is running. The web app is not built: run <code>npm run build -w @meshlens/web</code>.</p>',
        );
      return;
    }
    res.type('html').send(html);
  };
  router.get('/index.html', (_req, res) => sendIndex(res));
  router.use(
    express.static(dir, {
      index: false,
      setHeaders: (res, path) => {
        if (path.includes(`${join(dir, 'assets')}`))
          res.setHeader('cache-control', 'public, max-age=31536000, immutable');
      },
    }),
  );
  router.get('/{*rest}', (req, res, next) => {
    if (!req.accepts('html')) return next();
    sendIndex(res);
  });
  return router;
}
