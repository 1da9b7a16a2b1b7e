import { describe, expect, it } from 'vitest';
import { GraphQuerySchema, graphSearchParams } from './graphQuery';
import { formatDuration, parseDuration } from './duration';
import { GraphResponseSchema } from './graph';

const issuePaths = (input: unknown) => {
  const result = GraphQuerySchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => i.path.join('.'));
};

describe('GraphQuerySchema', () => {
  it('fills defaults and splits namespaces', () => {
    const q = GraphQuerySchema.parse({ namespaces: 'bookinfo, istio-system,bookinfo' });
    expect(q).toEqual({
      namespaces: ['bookinfo', 'istio-system'],
      graphType: 'versionedApp',
      duration: 300,
      injectServiceNodes: true,
      includeIdle: false,
      boxBy: 'none',
      responseTime: 'p95',
      protocols: ['http', 'grpc', 'tcp'],
      rateHttp: 'requests',
      rateGrpc: 'requests',
      rateTcp: 'sent',
      appenders: ['responseTime', 'throughput'],
      debug: false,
    });
  });

  it('parses appenders: named steps in one order, empty = none, unknown = an error naming it', () => {
    const parse = (appenders: string) => GraphQuerySchema.parse({ namespaces: 'a', appenders }).appenders;
    expect(parse('throughput, responseTime,throughput')).toEqual(['responseTime', 'throughput']);
    expect(parse('responseTime')).toEqual(['responseTime']);
    expect(parse('')).toEqual([]);
    const bad = GraphQuerySchema.safeParse({ namespaces: 'a', appenders: 'responseTime,deadNode' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['appenders']);
    expect(bad.error?.issues[0]?.message).toContain('"deadNode"');
  });

  it('parses every option', () => {
    const q = GraphQuerySchema.parse({
      namespaces: 'a',
      graphType: 'service',
      duration: '1h',
      queryTime: '1700000000',
      injectServiceNodes: 'false',
      includeIdle: '1',
      boxBy: 'app',
      responseTime: 'avg',
      protocols: 'tcp,http',
      rateHttp: 'none',
      rateGrpc: 'total',
      rateTcp: 'received',
      debug: 'true',
    });
    expect(q).toMatchObject({
      graphType: 'service',
      duration: 3600,
      queryTime: 1_700_000_000,
      injectServiceNodes: false,
      includeIdle: true,
      boxBy: 'app',
      responseTime: 'avg',
      protocols: ['http', 'tcp'],
      rateHttp: 'none',
      rateGrpc: 'total',
      rateTcp: 'received',
      debug: true,
    });
  });

  it.each([
    [{ namespaces: 'Bad_NS' }, 'namespaces'],
    [{ namespaces: '' }, 'namespaces'],
    [{}, 'namespaces'],
    [{ namespaces: 'a', graphType: 'galaxy' }, 'graphType'],
    [{ namespaces: 'a', duration: '-5m' }, 'duration'],
    [{ namespaces: 'a', duration: '1000d' }, 'duration'],
    [{ namespaces: 'a', duration: '1s' }, 'duration'],
    [{ namespaces: 'a', queryTime: 'yesterday' }, 'queryTime'],
    [{ namespaces: 'a', protocols: 'http,udp' }, 'protocols'],
    [{ namespaces: 'a', debug: 'maybe' }, 'debug'],
    [{ namespaces: 'a', rateHttp: 'bytes' }, 'rateHttp'],
    [{ namespaces: 'a', rateGrpc: 'messages' }, 'rateGrpc'],
    [{ namespaces: 'a', rateTcp: 'requests' }, 'rateTcp'],
    [{ namespaces: 'a', colour: 'red' }, ''],
  ])('rejects %j naming %s', (input, path) => {
    expect(issuePaths(input)).toContain(path);
  });

  it('round-trips through graphSearchParams', () => {
    const q = GraphQuerySchema.parse({
      namespaces: 'x,y',
      graphType: 'app',
      duration: '5m',
      protocols: 'grpc',
      appenders: '',
    });
    expect(q.appenders).toEqual([]);
    const again = GraphQuerySchema.parse(Object.fromEntries(graphSearchParams(q)));
    expect(again).toEqual(q);
  });
});

describe('durations', () => {
  it('parses and formats', () => {
    expect(parseDuration('5m')).toBe(300);
    expect(parseDuration('90')).toBe(90);
    expect(parseDuration('2x')).toBeNull();
    expect(formatDuration(300)).toBe('5m');
    expect(formatDuration(90)).toBe('90s');
    expect(formatDuration(86_400)).toBe('1d');
  });
});

describe('GraphResponseSchema', () => {
  it('rejects a node missing its health', () => {
    const r = GraphResponseSchema.safeParse({
      timestamp: 1,
      duration: 60,
      graphType: 'app',
      namespaces: ['a'],
      responseTime: 'p95',
      nodes: [{ id: 'x', type: 'app' }],
      edges: [],
      warnings: [],
    });
    expect(r.success).toBe(false);
  });
});
