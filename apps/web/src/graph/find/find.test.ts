import { describe, expect, it } from 'vitest';
import type { EdgeData, NodeData } from '../model';
import { compileFind } from './evaluate';
import { parseFind } from './parser';

const node = (over: Partial<NodeData>): NodeData => ({
  id: 'n',
  nodeType: 'app',
  label: '',
  cluster: 'Kubernetes',
  namespace: 'bookinfo',
  app: '',
  version: '',
  workload: '',
  service: '',
  health: 'Healthy',
  healthReason: '',
  isRoot: false,
  isGateway: false,
  isOutside: false,
  isIdle: false,
  isOutOfMesh: false,
  isServiceEntry: false,
  hasVS: false,
  hasDR: false,
  hasTrafficShifting: false,
  hasRequestRouting: false,
  hasFaultInjection: false,
  hasTimeout: false,
  hasRetries: false,
  hasCB: false,
  hasMirroring: false,
  badges: '',
  display: '',
  httpIn: 0,
  httpOut: 0,
  grpcIn: 0,
  grpcOut: 0,
  tcpIn: 0,
  tcpOut: 0,
  errPct: NaN,
  ...over,
});
const edge = (over: Partial<EdgeData>): EdgeData => ({
  id: 'e',
  source: 'a',
  target: 'b',
  protocol: 'http',
  rate: 1,
  errPct: 0,
  pctReq: 100,
  rt: 10,
  throughput: NaN,
  mtls: NaN,
  health: 'Healthy',
  isIdle: false,
  width: 1,
  rateLabel: '',
  pctLabel: '',
  rtLabel: '',
  lock: '',
  ...over,
});

const reviewsV2 = node({
  id: 'r2',
  nodeType: 'versionedApp',
  app: 'reviews',
  version: 'v2',
  workload: 'reviews-v2',
});
const ratingsSvc = node({ id: 's', nodeType: 'service', service: 'ratings', health: 'Failure' });
const gateway = node({
  id: 'g',
  nodeType: 'workload',
  workload: 'istio-ingressgateway',
  namespace: 'istio-system',
  isRoot: true,
});
const slow = edge({ id: 'slow', rt: 1500, errPct: 0 });
const failing = edge({ id: 'failing', rt: 20, errPct: 12.5 });
const tcp = edge({ id: 'tcp', protocol: 'tcp', rate: 2048, rt: NaN, errPct: NaN });

function matches(expr: string, ...elements: (NodeData | EdgeData)[]): string[] {
  const r = compileFind(expr);
  if (!r.ok) throw new Error(r.message);
  return elements.filter((d) => r.find.test(d, 'nodeType' in d)).map((d) => d.id);
}
const all = [reviewsV2, ratingsSvc, gateway, slow, failing, tcp];

describe('find/hide evaluation', () => {
  it('compares numbers on edges', () => {
    expect(matches('rt > 1000', ...all)).toEqual(['slow']);
    expect(matches('%httperr > 5', ...all)).toEqual(['failing']);
    expect(matches('%httperr >= 0', ...all)).toEqual(['slow', 'failing']);
    expect(matches('tcp > 1000', ...all)).toEqual(['tcp']);
  });
  it('compares text on nodes, case-insensitively', () => {
    expect(matches('ns = bookinfo', ...all)).toEqual(['r2', 's']);
    expect(matches('NS = BookInfo', ...all)).toEqual(['r2', 's']);
    expect(matches('version = v2', ...all)).toEqual(['r2']);
    expect(matches('node = service', ...all)).toEqual(['s']);
    expect(matches('node = app', ...all)).toEqual(['r2']);
    expect(matches('name contains gate', ...all)).toEqual(['g']);
    expect(matches('wl ^= reviews', ...all)).toEqual(['r2']);
    expect(matches('name !*= review', reviewsV2, ratingsSvc)).toEqual(['s']);
  });
  it('negates flags on nodes only', () => {
    expect(matches('!healthy', ...all)).toEqual(['s']);
    expect(matches('not healthy', ...all)).toEqual(['s']);
    expect(matches('root', ...all)).toEqual(['g']);
  });
  it('combines with AND and OR, OR binding tighter', () => {
    expect(matches('ns = bookinfo AND version = v2', ...all)).toEqual(['r2']);
    expect(matches('version = v2 OR node = service', ...all)).toEqual(['r2', 's']);
    // a AND b OR c == a AND (b OR c)
    expect(matches('ns = istio-system AND version = v2 OR root', ...all)).toEqual(['g']);
    expect(matches('rt > 1000 || %httperr > 5', ...all)).toEqual(['slow', 'failing']);
    expect(matches('(version = v2 AND healthy) OR !healthy', ...all)).toEqual(['r2', 's']);
  });
  it('treats NaN as "no activity"', () => {
    expect(matches('rt = NaN', ...all)).toEqual(['tcp']);
    expect(matches('rt != NaN', slow, tcp)).toEqual(['slow']);
  });
  it('knows which element kinds an expression can match', () => {
    const r = compileFind('rt > 1 OR ns = x');
    expect(r.ok && r.find.targets).toEqual({ nodes: true, edges: true });
  });
});

describe('find/hide messages', () => {
  const error = (input: string) => {
    const r = compileFind(input);
    if (r.ok) throw new Error(`expected an error for ${input}`);
    return r;
  };
  it('names the unknown operand and its position', () => {
    const e = error('ns = a AND foo > 1');
    expect(e.position).toBe(12);
    expect(e.message).toMatch(/^Unknown operand 'foo' at position 12; expected one of app,/);
  });
  it('says a value is missing after the operator', () => {
    expect(error('rt >')).toEqual({
      ok: false,
      position: 5,
      message: "Expected a value after '>' at position 5, found end of expression",
    });
  });
  it('wants a number for numeric operands', () => {
    expect(error('rt > fast')).toMatchObject({
      position: 6,
      message: "Expected a number for 'rt' at position 6, found 'fast'",
    });
    expect(error('ns > 3').message).toMatch(/'>' at position 4 compares numbers; 'ns' is text/);
    expect(error('rt contains 3').message).toMatch(/'contains' at position 4 works on text/);
  });
  it('wants an operator after a comparison operand', () => {
    expect(error('ns bookinfo')).toMatchObject({ position: 4 });
    expect(error('ns bookinfo').message).toMatch(
      /^Expected an operator after 'ns' .* at position 4, found 'bookinfo'/,
    );
  });
  it('rejects operators on flags and dangling connectives', () => {
    expect(error('healthy = true').message).toBe(
      "'healthy' at position 1 takes no operator: write 'healthy' or '!healthy'",
    );
    expect(error('rt > 1 AND')).toMatchObject({
      position: 11,
      message: 'Expected an operand (e.g. rt, ns, healthy) at position 11, found end of expression',
    });
    expect(error('rt > 1 ns = x')).toMatchObject({ position: 8 });
    expect(error('(rt > 1')).toMatchObject({
      message: "Expected ')' at position 8, found end of expression",
    });
    expect(error('')).toMatchObject({ position: 1 });
    expect(error('ns = "book').message).toBe('Unclosed quote " starting at position 6');
    expect(error('rt # 3').message).toBe("Unexpected character '#' at position 4");
  });
  it('parses quoted values and symbolic operators', () => {
    expect(parseFind('name = "my svc"')).toEqual({
      type: 'compare',
      operand: 'name',
      op: '=',
      value: 'my svc',
    });
    expect(parseFind('name$=v1')).toEqual({ type: 'compare', operand: 'name', op: 'endswith', value: 'v1' });
  });
});
