/**
 * Security headers on every answer (helmet), and `Cache-Control: no-store` on the API.
 *
 * The Content-Security-Policy allows scripts from the console's own origin only (no inline script: the
 * SPA's runtime config is a JSON data block, see ./static; no eval: the web app turns off zod's JIT, which
 * probes `new Function`), no framing (`frame-ancestors 'none'`), no plugins, no `<base>` or form target
 * elsewhere. Styles: 'self' plus 'unsafe-inline', because CodeMirror (the YAML editor) injects `<style>`
 * elements at run time; nonces would need a per-answer nonce threaded into every library that adds a
 * style element, for little gain: styles cannot run code, and scripts stay strict. Workers: 'self' (the
 * layout worker is a bundled file). Images: 'self' and data: (the icon, Cytoscape's exports).
 * Measured in Chromium on the built app (graph, side-panel charts, YAML editor): no violation, see
 * e2e/tests/security-headers.spec.ts.
 * No `upgrade-insecure-requests` and no HSTS: the console is served over plain HTTP on loopback or behind
 * a proxy that owns TLS (and sets HSTS itself).
 */
import type { RequestHandler } from 'express';
import helmet from 'helmet';

export const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  workerSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  upgradeInsecureRequests: null,
};

export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: false,
  });
}

/** API answers (errors included) are never stored by a browser or a proxy. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};
