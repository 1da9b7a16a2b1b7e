import type { IncomingMessage, ServerResponse } from 'node:http';
import { constants, gzipSync } from 'node:zlib';
import accepts from 'accepts';
import { GRAPH_GZIP_BODY, type AuthInfoResponse, type GraphResponse } from '@meshlens/contract';
import { SYNTHETIC_CONFIG, syntheticNamespaces } from '../../e2e/support/synthetic';

/** What the console's auth info says with strategy `anonymous` (the page asks for the graph once it has it). */
const ANONYMOUS: AuthInfoResponse = {
  strategy: 'anonymous',
  authenticated: true,
  viewOnly: false,
  canSignOut: false,
};

/**
 * The synthetic API of the web bench, answered over HTTP by the server of the page (same origin), as
 * the console server answers: the graph as JSON gzipped at level 1 (apps/server gzips each answer once,
 * with Z_BEST_SPEED, and serves those bytes to every client that accepts gzip: as the body itself, typed
 * GRAPH_GZIP_BODY, to a client that prefers that type, as the page's fetch worker does), namespaces,
 * auth info (strategy anonymous) and config as plain JSON. `use(graphs)` sets what the next page gets: the graph requests are answered with
 * `graphs` in turn (the last one repeats), the namespaces are those of the first.
 */
export class SyntheticApi {
  private graphs: { gzip: Buffer; json: string }[] = [];
  private namespaces = '';
  private served = 0;
  /** Serialized and gzipped once per graph object (as the server caches its answer). */
  private readonly encoded = new WeakMap<GraphResponse, { gzip: Buffer; json: string }>();
  use(graphs: GraphResponse[]): void {
    this.graphs = graphs.map((g) => {
      let e = this.encoded.get(g);
      if (!e) {
        const json = JSON.stringify(g);
        e = { json, gzip: gzipSync(json, { level: constants.Z_BEST_SPEED }) };
        this.encoded.set(g, e);
      }
      return e;
    });
    this.namespaces = JSON.stringify(syntheticNamespaces(graphs[0] as GraphResponse));
    this.served = 0;
  }

  readonly handle = (req: IncomingMessage, res: ServerResponse, path: string): void => {
    const json = (body: string | Buffer, gzipped = false) => {
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        vary: 'Accept-Encoding',
        ...(gzipped ? { 'content-encoding': 'gzip' } : {}),
      });
      res.end(body);
    };
    if (path === '/api/graph') {
      const graph = this.graphs[Math.min(this.served++, this.graphs.length - 1)];
      if (!graph) {
        res.writeHead(503).end();
        return;
      }
      if (prefersGzipBody(String(req.headers.accept ?? ''))) {
        res.writeHead(200, {
          'content-type': GRAPH_GZIP_BODY,
          'content-length': graph.gzip.length,
          vary: 'Accept, Accept-Encoding',
        });
        res.end(graph.gzip);
        return;
      }
      const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
      json(gzip ? graph.gzip : graph.json, gzip);
    } else if (path === '/api/namespaces') json(this.namespaces);
    else if (path === '/api/auth/info') json(JSON.stringify(ANONYMOUS));
    else json(JSON.stringify(SYNTHETIC_CONFIG));
  };
}

/** Whether an Accept header ranks GRAPH_GZIP_BODY above JSON, decided as the console's route decides (Express's req.accepts). */
export function prefersGzipBody(accept: string): boolean {
  const req = { headers: { accept } } as unknown as IncomingMessage;
  return accepts(req).type(['application/json', GRAPH_GZIP_BODY]) === GRAPH_GZIP_BODY;
}
