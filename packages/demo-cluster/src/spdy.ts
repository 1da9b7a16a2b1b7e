/**
 * SPDY/3.1 as Kubernetes' streaming connections speak it (moby/spdystream on the other end): the server
 * side of one session over a byte stream — a TCP socket after an `Upgrade: SPDY/3.1`, or a WebSocket whose
 * binary messages carry the same bytes (kubectl 1.31+ tunnels SPDY through WebSockets). Streams are opened
 * by the client (SYN_STREAM with zlib-compressed headers), accepted with SYN_REPLY, carry DATA frames and
 * end with FIN or RST_STREAM; PINGs from the client are echoed. No flow control (spdystream sends no
 * WINDOW_UPDATE and ignores them), as in the Kubernetes clients.
 */
import { once } from 'node:events';
import { Duplex } from 'node:stream';
import zlib from 'node:zlib';

const VERSION = 3;
const TYPE = {
  SYN_STREAM: 1,
  SYN_REPLY: 2,
  RST_STREAM: 3,
  SETTINGS: 4,
  PING: 6,
  GOAWAY: 7,
  HEADERS: 8,
  WINDOW_UPDATE: 9,
} as const;
const FLAG_FIN = 0x01;
const MAX_DATA = 0xffffff;
/** Control frames bigger than this end the session (the headers kubectl sends are ~100 bytes). */
const MAX_CONTROL = 1 << 20;

export const RST = { PROTOCOL_ERROR: 1, INVALID_STREAM: 2, REFUSED_STREAM: 3, CANCEL: 5, INTERNAL_ERROR: 6 };

/** The SPDY/3 header compression dictionary (draft 3, section 2.6.10.1): length-prefixed names, then text. */
const HEADER_DICTIONARY = (() => {
  const words = [
    'options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset', 'accept-encoding',
    'accept-language', 'accept-ranges', 'age', 'allow', 'authorization', 'cache-control', 'connection',
    'content-base', 'content-encoding', 'content-language', 'content-length', 'content-location',
    'content-md5', 'content-range', 'content-type', 'date', 'etag', 'expect', 'expires', 'from', 'host',
    'if-match', 'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since', 'last-modified',
    'location', 'max-forwards', 'pragma', 'proxy-authenticate', 'proxy-authorization', 'range', 'referer',
    'retry-after', 'server', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'vary', 'via',
    'warning', 'www-authenticate', 'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1', 'url',
    'public', 'set-cookie', 'keep-alive', 'origin',
  ]; // prettier-ignore
  const tail =
    '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
    '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized' +
    '403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable' +
    'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT' +
    'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,' +
    'text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';
  const parts: Buffer[] = [];
  for (const w of words) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(w.length);
    parts.push(len, Buffer.from(w, 'latin1'));
  }
  parts.push(Buffer.from(tail, 'latin1'));
  return Buffer.concat(parts);
})();

export type SpdyHeaders = Record<string, string[]>;

/** One zlib stream (shared by every header block of one direction), flushed per block as SPDY requires. */
class HeaderCodec {
  private readonly z: zlib.Inflate | zlib.Deflate;
  constructor(kind: 'inflate' | 'deflate') {
    this.z =
      kind === 'inflate'
        ? zlib.createInflate({ dictionary: HEADER_DICTIONARY })
        : zlib.createDeflate({ dictionary: HEADER_DICTIONARY });
    // Errors are reported to the caller of run(); none may go unhandled.
    this.z.on('error', () => undefined);
  }

  run(chunk: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const out: Buffer[] = [];
      const onData = (d: Buffer): void => void out.push(d);
      const onError = (e: Error): void => {
        this.z.off('data', onData);
        reject(e);
      };
      this.z.on('data', onData);
      this.z.once('error', onError);
      this.z.write(chunk);
      this.z.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        this.z.off('data', onData);
        this.z.off('error', onError);
        resolve(Buffer.concat(out));
      });
    });
  }

  close(): void {
    this.z.destroy();
  }
}

function encodeHeaderBlock(headers: SpdyHeaders): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const entries = Object.entries(headers);
  parts.push(u32(entries.length));
  for (const [name, values] of entries) {
    const n = Buffer.from(name.toLowerCase(), 'utf8');
    const v = Buffer.from(values.join('\0'), 'utf8');
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

function decodeHeaderBlock(block: Buffer): SpdyHeaders {
  const out: SpdyHeaders = {};
  let pos = 0;
  const u32 = (): number => {
    if (pos + 4 > block.length) throw new Error('truncated header block');
    const n = block.readUInt32BE(pos);
    pos += 4;
    return n;
  };
  const bytes = (len: number): string => {
    if (pos + len > block.length) throw new Error('truncated header block');
    const s = block.toString('utf8', pos, pos + len);
    pos += len;
    return s;
  };
  const count = u32();
  for (let i = 0; i < count; i++) {
    const name = bytes(u32());
    if (!name || name !== name.toLowerCase()) throw new Error(`invalid header name ${JSON.stringify(name)}`);
    const value = bytes(u32());
    out[name] = value.split('\0');
  }
  return out;
}

function controlFrame(type: number, flags: number, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8000 | VERSION, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE(((flags & 0xff) << 24) | body.length, 4);
  return Buffer.concat([head, body]);
}

function dataFrame(streamId: number, flags: number, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(streamId & 0x7fffffff, 0);
  head.writeUInt32BE(((flags & 0xff) << 24) | data.length, 4);
  return Buffer.concat([head, data]);
}

/**
 * A stream the client opened: a Duplex whose readable side is the client's DATA and whose writable side
 * sends DATA (end() sends FIN). Destroying it sends RST_STREAM unless the peer reset it or both sides ended.
 */
export class SpdyStream extends Duplex {
  private replied = false;
  private localFin = false;
  private remoteFin = false;
  private resetByPeer = false;

  constructor(
    private readonly session: SpdySession,
    readonly id: number,
    readonly headers: SpdyHeaders,
    finOnOpen: boolean,
  ) {
    super({ allowHalfOpen: true });
    if (finOnOpen) this.onRemoteFin();
  }

  /** The first value of a header (names are lower case on the wire). */
  header(name: string): string | undefined {
    return this.headers[name.toLowerCase()]?.[0];
  }

  /** Accepts the stream (SYN_REPLY); data written before is sent after it. */
  reply(headers: SpdyHeaders = {}): void {
    if (this.replied) return;
    this.replied = true;
    void this.session.sendReply(this.id, headers);
  }

  /** Refuses or aborts the stream (RST_STREAM). */
  reset(status = RST.CANCEL): void {
    if (!this.resetByPeer) void this.session.send(controlFrame(TYPE.RST_STREAM, 0, rstBody(this.id, status)));
    this.resetByPeer = true; // nothing more is sent on it either way
    this.destroy();
  }

  override _read(): void {
    /* DATA frames are pushed as they arrive */
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.resetByPeer) return cb(new Error(`stream ${this.id} was reset`));
    const sends: Promise<void>[] = [];
    for (let i = 0; i < chunk.length; i += MAX_DATA)
      sends.push(this.session.send(dataFrame(this.id, 0, chunk.subarray(i, i + MAX_DATA))));
    Promise.all(sends).then(() => cb(), cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.localFin = true;
    if (this.resetByPeer) return cb();
    this.session.send(dataFrame(this.id, FLAG_FIN, Buffer.alloc(0))).then(() => {
      this.maybeDone();
      cb();
    }, cb);
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    if (!this.resetByPeer && !(this.localFin && this.remoteFin) && !this.session.closed)
      void this.session.send(controlFrame(TYPE.RST_STREAM, 0, rstBody(this.id, RST.CANCEL)));
    this.session.forget(this.id);
    cb(err);
  }

  /** @internal */ onData(data: Buffer): void {
    if (!this.remoteFin && data.length) this.push(data);
  }

  /** @internal */ onRemoteFin(): void {
    if (this.remoteFin) return;
    this.remoteFin = true;
    this.push(null);
    this.maybeDone();
  }

  /** @internal */ onReset(): void {
    this.resetByPeer = true;
    this.destroy();
  }

  private maybeDone(): void {
    if (this.localFin && this.remoteFin) this.session.forget(this.id);
  }
}

function rstBody(streamId: number, status: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32BE(streamId & 0x7fffffff, 0);
  b.writeUInt32BE(status, 4);
  return b;
}

/**
 * The server side of a SPDY/3.1 session on `transport`. `onStream` is called for every stream the client
 * opens; it must reply() or reset() it.
 */
export class SpdySession {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly streams = new Map<number, SpdyStream>();
  private readonly inflate = new HeaderCodec('inflate');
  private readonly deflate = new HeaderCodec('deflate');
  /** Frames are handled one at a time (header blocks decompress asynchronously, in order). */
  private reading: Promise<void> = Promise.resolve();
  /** Frames are written in order (a SYN_REPLY's header block compresses asynchronously). */
  private writing: Promise<void> = Promise.resolve();
  private lastStreamId = 0;
  closed = false;

  constructor(
    private readonly transport: Duplex,
    private readonly onStream: (stream: SpdyStream) => void,
    private readonly log?: (line: string) => void,
  ) {
    transport.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
      this.reading = this.reading.then(() => this.drainFrames()).catch((e: unknown) => this.fail(e));
    });
    transport.on('end', () => this.close());
    transport.on('close', () => this.close());
    transport.on('error', () => this.close());
  }

  /** Ends every stream and the transport. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of [...this.streams.values()]) s.destroy();
    this.streams.clear();
    this.inflate.close();
    this.deflate.close();
    this.transport.destroy();
  }

  /** @internal Writes a frame after every frame queued before it; resolves once the transport took it. */
  send(frame: Buffer): Promise<void> {
    const write = async (): Promise<void> => {
      if (this.closed || this.transport.destroyed) return;
      if (!this.transport.write(frame)) await once(this.transport, 'drain').catch(() => undefined);
    };
    this.writing = this.writing.then(write, write);
    return this.writing;
  }

  /** @internal */ sendReply(streamId: number, headers: SpdyHeaders): Promise<void> {
    // The compressed block is made in the write queue, so that blocks reach the peer in the order their
    // zlib stream produced them.
    const write = async (): Promise<void> => {
      if (this.closed) return;
      const block = await this.deflate.run(encodeHeaderBlock(headers));
      const id = Buffer.alloc(4);
      id.writeUInt32BE(streamId & 0x7fffffff);
      const frame = controlFrame(TYPE.SYN_REPLY, 0, Buffer.concat([id, block]));
      if (!this.transport.write(frame)) await once(this.transport, 'drain').catch(() => undefined);
    };
    this.writing = this.writing.then(write, write);
    return this.writing;
  }

  /** @internal */ forget(id: number): void {
    this.streams.delete(id);
  }

  private fail(e: unknown): void {
    this.log?.(`spdy: ${(e as Error)?.message ?? String(e)}; closing the session`);
    if (!this.closed) {
      const body = Buffer.alloc(8);
      body.writeUInt32BE(this.lastStreamId, 0);
      body.writeUInt32BE(1, 4); // PROTOCOL_ERROR
      void this.send(controlFrame(TYPE.GOAWAY, 0, body)).finally(() => this.close());
    }
  }

  private async drainFrames(): Promise<void> {
    while (!this.closed && this.buffer.length >= 8) {
      const length = this.buffer.readUInt32BE(4) & 0xffffff;
      const control = (this.buffer[0]! & 0x80) !== 0;
      if (control && length > MAX_CONTROL) throw new Error(`control frame of ${length} bytes`);
      if (this.buffer.length < 8 + length) return;
      const head = this.buffer.subarray(0, 8);
      const body = this.buffer.subarray(8, 8 + length);
      this.buffer = this.buffer.subarray(8 + length);
      const flags = head[4]!;
      if (control) {
        const version = head.readUInt16BE(0) & 0x7fff;
        if (version !== VERSION) throw new Error(`SPDY version ${version} is not supported`);
        await this.onControl(head.readUInt16BE(2), flags, body);
      } else {
        const stream = this.streams.get(head.readUInt32BE(0) & 0x7fffffff);
        if (!stream) continue; // already gone: what spdystream does too
        stream.onData(Buffer.from(body));
        if (flags & FLAG_FIN) stream.onRemoteFin();
      }
    }
  }

  private async onControl(type: number, flags: number, body: Buffer): Promise<void> {
    switch (type) {
      case TYPE.SYN_STREAM: {
        if (body.length < 10) throw new Error('short SYN_STREAM');
        const id = body.readUInt32BE(0) & 0x7fffffff;
        const headers = decodeHeaderBlock(await this.inflate.run(body.subarray(10)));
        // Client streams have odd ids, each greater than the last.
        if (id % 2 !== 1 || id <= this.lastStreamId) {
          await this.send(controlFrame(TYPE.RST_STREAM, 0, rstBody(id, RST.PROTOCOL_ERROR)));
          return;
        }
        this.lastStreamId = id;
        const stream = new SpdyStream(this, id, headers, (flags & FLAG_FIN) !== 0);
        this.streams.set(id, stream);
        this.onStream(stream);
        return;
      }
      case TYPE.RST_STREAM: {
        this.streams.get(body.readUInt32BE(0) & 0x7fffffff)?.onReset();
        return;
      }
      case TYPE.PING: {
        // The client's pings (odd ids) come back as they are.
        if (body.length === 4 && body.readUInt32BE(0) % 2 === 1)
          await this.send(controlFrame(TYPE.PING, 0, body));
        return;
      }
      case TYPE.GOAWAY:
        this.close();
        return;
      case TYPE.HEADERS:
        // Kept in sync with the client's compressor, though nothing reads these.
        if (body.length >= 4) await this.inflate.run(body.subarray(4));
        return;
      default:
        // SETTINGS, WINDOW_UPDATE, SYN_REPLY (we open no streams): nothing to do.
        return;
    }
  }
}
