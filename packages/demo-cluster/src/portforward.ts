/**
 * `pods/portforward`, as kubectl port-forward speaks it: kubectl 1.31+ first asks for a WebSocket whose
 * subprotocol `SPDY/3.1+portforward.k8s.io` tunnels a SPDY session, and falls back to `Upgrade: SPDY/3.1`
 * with `X-Stream-Protocol-Version: portforward.k8s.io` (what older clients send first). Either way each
 * forwarded connection is a pair of SPDY streams with headers `streamtype: error|data`, `port` and
 * `requestid`: the data stream carries the bytes, the error stream the reason a forward failed.
 *
 * No container runs here, so the emulator forwards a pod's port to a local process that a launcher started
 * for that pod and named in the pod's annotation `demo-cluster/port-forward`: `PORT=HOST:PORT[,…]`, e.g.
 * `20001=127.0.0.1:43121` (loopback hosts only). A port without such an entry fails the forward with a
 * message naming the annotation, as a kubelet reports a port nothing listens on.
 */
import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { ApiError, badRequest } from './errors';
import { SpdySession, type SpdyStream, RST } from './spdy';
import type { Cluster } from './cluster';
import type { KObject } from './types';

export const PORT_FORWARD_ANNOTATION = 'demo-cluster/port-forward';
const PROTOCOL = 'portforward.k8s.io';
const TUNNELING_PREFIX = 'SPDY/3.1+';
/** A pair whose second stream does not come within this is dropped (the kubelet's stream creation timeout). */
const PAIR_TIMEOUT_MS = 30_000;
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export interface ForwardTarget {
  host: string;
  port: number;
}

/** The `PORT=HOST:PORT` entries of a pod's annotation; bad entries are skipped. */
export function parsePortForwardAnnotation(value: string | undefined): Map<number, ForwardTarget> {
  const out = new Map<number, ForwardTarget>();
  for (const entry of (value ?? '').split(',')) {
    const m = /^\s*(\d{1,5})\s*=\s*(\[[^\]]+\]|[^:\s]+):(\d{1,5})\s*$/.exec(entry);
    if (!m) continue;
    const host = m[2]!.replace(/^\[|\]$/g, '');
    const from = Number(m[1]);
    const to = Number(m[3]);
    if (!LOOPBACK.has(host) || from < 1 || from > 65535 || to < 1 || to > 65535) continue;
    out.set(from, { host, port: to });
  }
  return out;
}

/** Where `port` of the pod goes, or why it cannot be forwarded (the error stream's message). */
function targetOf(pod: KObject, port: number): ForwardTarget | string {
  const where = `pod ${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
  const target = parsePortForwardAnnotation(pod.metadata.annotations?.[PORT_FORWARD_ANNOTATION]).get(port);
  if (target) return target;
  return (
    `error forwarding port ${port} to ${where}, uid ${pod.metadata.uid ?? ''}: nothing listens on port ${port}: ` +
    `the demo cluster runs no containers; a process started for this pod names its address in the pod's ` +
    `annotation ${PORT_FORWARD_ANNOTATION} ("${port}=127.0.0.1:PORT")`
  );
}

const header = (req: IncomingMessage, name: string): string[] =>
  [req.headers[name] ?? []]
    .flat()
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);

export interface PortForwardContext {
  cluster: Cluster;
  log?: (line: string) => void;
}

/**
 * Serves one port-forward session on `socket` (an upgrade of `req` to the pod's portforward subresource,
 * already authorized). Throws an ApiError (answered as HTTP) when the upgrade cannot be made.
 */
export function upgradePortForward(
  ctx: PortForwardContext,
  namespace: string,
  name: string,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): void {
  const podType = ctx.cluster.registry.byResource('', 'pods');
  if (!podType) throw new Error('pods are not served');
  // 404 as the API server answers for a missing pod.
  ctx.cluster.get(podType, namespace, name);
  const resolve = (port: number) => {
    // Read at each connection: the launcher may name the address after kubectl connected.
    const pod = ctx.cluster.store.get('pods', namespace, name);
    return pod ? targetOf(pod, port) : `pod ${namespace}/${name} no longer exists`;
  };
  const upgrade = (req.headers.upgrade ?? '').toLowerCase();
  if (upgrade === 'websocket') {
    const offered = header(req, 'sec-websocket-protocol');
    const chosen = offered.find((p) => p === `${TUNNELING_PREFIX}${PROTOCOL}`);
    if (!chosen)
      throw badRequest(
        `unable to upgrade connection: no supported WebSocket subprotocol in ${JSON.stringify(offered)}; ` +
          `the demo cluster speaks ${TUNNELING_PREFIX}${PROTOCOL} (SPDY tunnelled in WebSockets, kubectl 1.31+) ` +
          `and SPDY/3.1 with ${PROTOCOL}`,
      );
    // `ws` refuses subprotocols that are not RFC 7230 tokens, and this one has a `/`: the choice is
    // made here and written into the handshake's answer instead.
    delete req.headers['sec-websocket-protocol'];
    const wss = new WebSocketServer({ noServer: true });
    wss.once('headers', (headers: string[]) => headers.push(`Sec-WebSocket-Protocol: ${chosen}`));
    wss.handleUpgrade(req, socket, head, (ws) => {
      const stream = createWebSocketStream(ws);
      stream.on('error', () => stream.destroy());
      serveSession(stream, resolve, ctx.log);
      stream.on('close', () => wss.close());
    });
    return;
  }
  if (upgrade === 'spdy/3.1') {
    const versions = header(req, 'x-stream-protocol-version');
    if (!versions.includes(PROTOCOL))
      throw new ApiError(
        403,
        'Forbidden',
        `unable to upgrade: unable to negotiate protocol: client supports ${JSON.stringify(versions)}, server supports ["${PROTOCOL}"]`,
      );
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\n' +
        'Connection: Upgrade\r\n' +
        'Upgrade: SPDY/3.1\r\n' +
        `X-Stream-Protocol-Version: ${PROTOCOL}\r\n\r\n`,
    );
    if (head.length) socket.unshift(head);
    serveSession(socket, resolve, ctx.log);
    return;
  }
  throw badRequest(
    `unable to upgrade connection: unsupported upgrade ${JSON.stringify(req.headers.upgrade)}`,
  );
}

interface Pair {
  error?: SpdyStream;
  data?: SpdyStream;
  timer: NodeJS.Timeout;
}

/** One SPDY session: streams paired by request id, each pair forwarded to its port's target. */
function serveSession(
  transport: Duplex,
  resolve: (port: number) => ForwardTarget | string,
  log?: (line: string) => void,
): void {
  const pairs = new Map<string, Pair>();
  const session = new SpdySession(
    transport,
    (stream) => {
      const port = Number(stream.header('port'));
      const type = stream.header('streamtype');
      if (!Number.isInteger(port) || port < 1 || port > 65535 || (type !== 'error' && type !== 'data')) {
        // What the kubelet does with a stream it cannot use.
        stream.reset(RST.PROTOCOL_ERROR);
        return;
      }
      // Clients before request ids paired an error stream with the data stream two ids later.
      const requestId = stream.header('requestid') ?? String(type === 'error' ? stream.id : stream.id - 2);
      const key = `${requestId}/${port}`;
      let pair = pairs.get(key);
      if (!pair) {
        const timer = setTimeout(() => {
          pairs.delete(key);
          pair?.error?.reset();
          pair?.data?.reset();
        }, PAIR_TIMEOUT_MS);
        timer.unref();
        pair = { timer };
        pairs.set(key, pair);
      }
      if (pair[type]) {
        stream.reset(RST.PROTOCOL_ERROR);
        return;
      }
      pair[type] = stream;
      stream.reply();
      stream.on('error', () => undefined);
      if (pair.error && pair.data) {
        clearTimeout(pair.timer);
        pairs.delete(key);
        forward(pair.error, pair.data, port, resolve(port), log);
      }
    },
    log,
  );
  transport.on('close', () => {
    for (const p of pairs.values()) clearTimeout(p.timer);
    pairs.clear();
    session.close();
  });
}

/** Copies between the data stream and a connection to the target; failures go to the error stream. */
function forward(
  errorStream: SpdyStream,
  data: SpdyStream,
  port: number,
  target: ForwardTarget | string,
  log?: (line: string) => void,
): void {
  // The client never writes to the error stream; it reads it to the end.
  errorStream.resume();
  const fail = (message: string): void => {
    log?.(`port-forward: ${message}`);
    if (!errorStream.destroyed) errorStream.end(message);
    if (!data.destroyed) data.end();
  };
  if (typeof target === 'string') return fail(target);
  const socket: Socket = connect({ host: target.host, port: target.port });
  let connected = false;
  socket.once('connect', () => {
    connected = true;
    socket.pipe(data);
    data.pipe(socket);
  });
  socket.on('error', (e: NodeJS.ErrnoException) => {
    if (!connected)
      fail(
        `error forwarding port ${port}: failed to connect to ${target.host}:${target.port}: ${e.code ?? e.message}`,
      );
    else data.destroy();
  });
  // The target closed: the client has all its bytes once the data stream's FIN follows them.
  socket.on('close', () => {
    if (!errorStream.destroyed) errorStream.end();
  });
  // The client reset the data stream (done, or its local connection failed): drop the target connection.
  data.on('close', () => socket.destroy());
}

export interface UpgradeContext extends PortForwardContext {
  /** Authenticates and authorizes (as `verb`), then runs `serve` as the request's user; throws 401/403. */
  guard?: (req: IncomingMessage, serve: () => Promise<void>, verb?: string) => Promise<void>;
}

/** Answers a failed upgrade as the API server does: an HTTP error with a Status body, then closes. */
function refuse(socket: Duplex, e: unknown): void {
  const err =
    e instanceof ApiError
      ? e
      : new ApiError(500, 'InternalError', `Internal error occurred: ${(e as Error)?.message ?? String(e)}`);
  const body = JSON.stringify(err.toStatus());
  if (socket.writable)
    socket.end(
      `HTTP/1.1 ${err.code} ${err.reason}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  else socket.destroy();
}

/**
 * The servers' `upgrade` listener: `…/namespaces/NS/pods/NAME/portforward` (WebSocket GET or SPDY POST),
 * authorized as `create` on pods/portforward for both methods — what kube-apiserver 1.35 asks of WebSocket
 * upgrades too (AuthorizePodWebsocketUpgradeCreatePermission), and what the edit and admin roles grant.
 */
export function createUpgradeHandler(
  ctx: UpgradeContext,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://localhost');
    ctx.log?.(`${req.method ?? 'GET'} ${req.url ?? ''} (upgrade: ${req.headers.upgrade ?? ''})`);
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward\/?$/.exec(url.pathname);
    if (!m || !['GET', 'POST'].includes(req.method ?? '')) {
      refuse(socket, badRequest(`unable to upgrade connection: ${url.pathname} does not upgrade`));
      return;
    }
    let namespace: string;
    let name: string;
    try {
      namespace = decodeURIComponent(m[1]!);
      name = decodeURIComponent(m[2]!);
    } catch {
      refuse(socket, badRequest(`malformed path: ${url.pathname}`));
      return;
    }
    const serve = async (): Promise<void> => upgradePortForward(ctx, namespace, name, req, socket, head);
    (ctx.guard ? ctx.guard(req, serve, 'create') : serve()).catch((e: unknown) => refuse(socket, e));
  };
}
