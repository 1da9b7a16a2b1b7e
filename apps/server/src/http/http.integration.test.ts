/**
 * The HTTP boundary without a cluster: which Host names are allowed (in a cluster, behind a
 * port-forward, configured), credentials kept out of the log, and no internal address in an answer.
 */
import { Writable } from 'node:stream';
import { ErrorBodySchema, ReadyResponseSchema } from '@meshlens/contract';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp, type KubeAccess } from '../app';
import { parseConfig } from '../config';
import { istioKubeClient } from '../istio/kubeClient';
import { createLogger, redactUrl } from '../logger';
import { hostPolicy, parseHost, podNamespace } from './hosts';
import { unreachableKubeConfig, unreachablePrometheus } from '../../test/stackHelpers';

const kube: KubeAccess = {
  snapshot: () => ({ namespaces: [], synced: true }) as never,
  ping: async () => {
    throw new Error('connect ECONNREFUSED 10.96.0.1:443');
  },
};
// Nothing listens on port 9 of loopback.
const deadPrometheus = unreachablePrometheus();

describe('allowed Host names', () => {
  it('on loopback: the loopback names with the port listened on, nothing else', () => {
    const p = hostPolicy({ listenHost: '127.0.0.1', allowedHosts: [] });
    for (const h of [
      'localhost:20001',
      '127.0.0.1:20001',
      '[::1]:20001',
      'LocalHost:20001',
      'localhost.:20001',
    ])
      expect(p.allows(h, 20001), h).toBe(true);
    for (const h of [
      'localhost:8080',
      'localhost',
      'evil.example:20001',
      '10.0.0.1:20001',
      '',
      'a:b:c',
      '[zz]:1',
    ])
      expect(p.allows(h, 20001), h).toBe(false);
    expect(p.allows(undefined, 20001)).toBe(false);
  });

  it('in a cluster: the Service names in the pod namespace, and localhost on any port (port-forward)', () => {
    const p = hostPolicy({
      listenHost: '0.0.0.0',
      allowedHosts: [],
      cluster: true,
      namespace: 'istio-system',
    });
    for (const h of [
      'meshlens',
      'meshlens:20001',
      'meshlens.istio-system',
      'meshlens.istio-system.svc:20001',
      'meshlens.istio-system.svc.cluster.local:20001',
      'localhost:8080',
      '127.0.0.1:20001',
    ])
      expect(p.allows(h, 20001), h).toBe(true);
    for (const h of ['meshlens.other', 'meshlens.other.svc', '10.1.2.3:20001', 'evil.example'])
      expect(p.allows(h, 20001), h).toBe(false);
  });

  it('configured names: exact (any port), name:port, a domain and its subdomains, or any', () => {
    const p = hostPolicy({
      listenHost: '127.0.0.1',
      allowedHosts: ['console.example.com', 'proxy.local:8443', '.corp.example'],
    });
    expect(p.allows('console.example.com', 20001)).toBe(true);
    expect(p.allows('console.example.com:443', 20001)).toBe(true);
    expect(p.allows('proxy.local:8443', 20001)).toBe(true);
    expect(p.allows('proxy.local:8444', 20001)).toBe(false);
    expect(p.allows('corp.example', 20001)).toBe(true);
    expect(p.allows('a.b.corp.example:1', 20001)).toBe(true);
    expect(p.allows('evilcorp.example', 20001)).toBe(false);
    expect(hostPolicy({ listenHost: '127.0.0.1', allowedHosts: ['*'] }).allows('anything', 1)).toBe(true);
  });

  it('a server bound to one address answers to it', () => {
    const p = hostPolicy({ listenHost: '192.168.1.5', allowedHosts: [] });
    expect(p.allows('192.168.1.5:20001', 20001)).toBe(true);
    expect(p.allows('192.168.1.6:20001', 20001)).toBe(false);
  });

  it('parses Host values and finds the pod namespace', () => {
    expect(parseHost('[::1]:80')).toEqual({ name: '::1', port: 80 });
    expect(parseHost('Example.COM.')).toEqual({ name: 'example.com' });
    expect(parseHost('x:99999')).toBeUndefined();
    expect(podNamespace({ POD_NAMESPACE: 'mesh' }, '/nonexistent')).toBe('mesh');
    expect(podNamespace({}, '/nonexistent')).toBeUndefined();
  });
});

describe('logs', () => {
  it('never carry Authorization, Cookie, Set-Cookie or token parameters', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    const logger = createLogger('debug', sink);
    const app = createApp({ kube, prometheus: deadPrometheus, config: parseConfig({}), logger });
    app.get('/api/set-cookie', (_req, res) => {
      res.setHeader('Set-Cookie', 'session=cookie-secret-3; HttpOnly');
      res.status(404).json({});
    });
    await request(app)
      .get('/api/nothing?token=query-secret-4&namespaces=a')
      .set('Authorization', 'Bearer bearer-secret-1')
      .set('Cookie', 'meshlens-session=cookie-secret-2');
    await request(app).get('/api/set-cookie');
    logger.info({ token: 'field-secret-5', prometheus: { password: 'field-secret-6' } }, 'config');
    const text = lines.join('\n');
    expect(lines.some((l) => l.includes('"/api/nothing'))).toBe(true);
    for (const secret of ['bearer-secret-1', 'cookie-secret-2', 'cookie-secret-3', 'query-secret-4'])
      expect(text).not.toContain(secret);
    for (const secret of ['field-secret-5', 'field-secret-6']) expect(text).not.toContain(secret);
    expect(text).toContain('[Redacted]');
    expect(text).toContain('namespaces=a');
  });

  it('redactUrl hides token-like query values only', () => {
    expect(redactUrl('/cb?code=abc&state=x&ns=a&access_token=t')).toBe(
      '/cb?code=[Redacted]&state=[Redacted]&ns=a&access_token=[Redacted]',
    );
    expect(redactUrl('/api/graph')).toBe('/api/graph');
  });
});

describe('answers name no internal address', () => {
  it('readyz says Prometheus and Kubernetes are unreachable, without their addresses', async () => {
    const app = createApp({
      kube,
      prometheus: deadPrometheus,
      config: parseConfig({}),
      logger: createLogger('silent'),
    });
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(503);
    const body = ReadyResponseSchema.parse(res.body);
    expect(body.checks.prometheus.message).toMatch(/^Prometheus is unreachable/);
    expect(body.checks.kubernetes.message).toBe('connect ECONNREFUSED');
    // A host:port, not the checks' own `"ms":9` (which a 9 ms check writes).
    expect(res.text).not.toMatch(/127\.0\.0\.1|10\.96\.0\.1|[\w\]]:9\b|[\w\]]:443\b/);
  });

  it('a Kubernetes API that does not answer: 503 "unreachable", no address', async () => {
    const kc = unreachableKubeConfig();
    const app = createApp({
      kube,
      prometheus: deadPrometheus,
      config: parseConfig({}),
      logger: createLogger('silent'),
      istio: { client: istioKubeClient(kc), inventory: { list: () => [] } },
    });
    const res = await request(app).get('/api/namespaces/bookinfo/istio/virtualservices/reviews');
    expect(res.status).toBe(503);
    const error = ErrorBodySchema.parse(res.body).error;
    expect(error.message).toMatch(/the API server is unreachable/);
    expect(res.text).not.toContain('127.0.0.1');
  });
});
