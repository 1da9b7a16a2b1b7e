import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Response, type Router } from 'express';
import { RUNTIME_CONFIG_ELEMENT_ID, type RuntimeConfig } from '@meshlens/contract';
import { defaultWebDir } from '../paths';

/**
 * Inline scripts (no `src`, not a data block): the Content-Security-Policy would refuse to run them (and
 * report a violation), so the served page has none. index.html's base-path fallback is one: it is for
 * hosting the build without this server, which sets `<base href>` itself.
 */
const INLINE_SCRIPT =
  /<script\b(?![^>]*\bsrc\s*=)(?![^>]*\btype\s*=\s*["']?application\/json)[^>]*>[\s\S]*?<\/script>\s*/gi;

/**
 * index.html with `<base href>` and the runtime config as a JSON data block (not executed: the CSP allows
 * no inline script), so the SPA works under any prefix.
 */
export function injectIndex(html: string, runtime: RuntimeConfig): string {
  const base = `<base href="${runtime.basePath}/">`;
  // `<` escaped: the JSON cannot close the element or open a comment.
  const config = `<script type="application/json" id="${RUNTIME_CONFIG_ELEMENT_ID}">${JSON.stringify(runtime).replace(/</g, '\\u003c')}</script>`;
  const page = html.replace(/<base\s[^>]*>/i, '').replace(INLINE_SCRIPT, '');
  return /<head[^>]*>/i.test(page)
    ? page.replace(/<head[^>]*>/i, (m) => `${m}\n    ${base}\n    ${config}`)
    : `${base}${config}${page}`;
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
