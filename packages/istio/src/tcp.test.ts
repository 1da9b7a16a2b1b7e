/** TCP and TLS-passthrough routing (evaluateTcp). */
import { describe, expect, it } from 'vitest';
import { evaluateTcp } from './evaluateTcp';
import type { Caller } from './evaluate.types';
import { dr, draws, mesh, productpage, vs } from '../test/fixtures';

const FQDN = (s: string, ns = 'bookinfo') => `${s}.${ns}.svc.cluster.local`;

describe('TCP', () => {
  const mysql = { name: 'mysqldb', namespace: 'bookinfo', ports: [{ port: 3306 }] };
  const base = (tcp: unknown[]) =>
    mesh({
      services: [...mesh({}).services, mysql],
      virtualServices: [vs('db', { hosts: ['mysqldb'], tcp: tcp as never })],
      destinationRules: [
        dr('db', {
          host: 'mysqldb',
          subsets: [
            { name: 'v1', labels: { version: 'v1' } },
            { name: 'v2', labels: { version: 'v2' } },
          ],
        }),
      ],
    });

  it('matches by port and source labels, weights the route', () => {
    const m = base([
      {
        match: [{ port: 3306, sourceLabels: { app: 'ratings' } }],
        route: [{ destination: { host: 'mysqldb', subset: 'v2' } }],
      },
      {
        route: [
          { destination: { host: 'mysqldb', subset: 'v1' }, weight: 50 },
          { destination: { host: 'mysqldb', subset: 'v2' }, weight: 50 },
        ],
      },
    ]);
    const ratings: Caller = { namespace: 'bookinfo', labels: { app: 'ratings', version: 'v2-mysql' } };
    expect(evaluateTcp(m, ratings, 'mysqldb', 3306, Math.random)).toMatchObject({
      kind: 'route',
      ruleIndex: 0,
      subsetLabels: { version: 'v2' },
    });
    expect(evaluateTcp(m, productpage, 'mysqldb', 3306, draws(0.1))).toMatchObject({
      ruleIndex: 1,
      destination: { subset: 'v1' },
    });
    expect(evaluateTcp(m, productpage, 'mysqldb', 3306, draws(0.9))).toMatchObject({
      ruleIndex: 1,
      destination: { subset: 'v2' },
    });
  });

  it('no matching tcp rule falls back to the service; an undefined subset is noCluster', () => {
    const m = base([
      { match: [{ port: 1234 }], route: [{ destination: { host: 'mysqldb', subset: 'v9' } }] },
    ]);
    expect(evaluateTcp(m, productpage, 'mysqldb', 3306, Math.random)).toMatchObject({
      kind: 'route',
      destination: { host: FQDN('mysqldb'), port: 3306 },
    });
    expect(evaluateTcp(m, productpage, 'mysqldb', 1234, Math.random)).toMatchObject({
      kind: 'noCluster',
      virtualService: 'bookinfo/db',
    });
  });

  it('destinationSubnets match IPv4 destinations', () => {
    const m = mesh({
      virtualServices: [
        vs('ip', {
          hosts: ['10.1.0.0'],
          tcp: [
            {
              match: [{ destinationSubnets: ['10.1.0.0/16'] }],
              route: [{ destination: { host: 'ratings' } }],
            },
          ],
        }),
      ],
    });
    expect(evaluateTcp(m, productpage, '10.1.0.0', 80, Math.random)).toMatchObject({
      destination: { host: FQDN('ratings') },
    });
  });
});

describe('TLS passthrough routes', () => {
  it('tls[] rules match by SNI (wildcards too) before tcp[]; without SNI only tcp[] applies', () => {
    const m = mesh({
      serviceEntries: [
        {
          apiVersion: 'networking.istio.io/v1',
          kind: 'ServiceEntry',
          metadata: { name: 'ext', namespace: 'bookinfo' },
          spec: {
            hosts: ['*.example.com'],
            ports: [{ number: 443, name: 'tls', protocol: 'TLS' }],
            location: 'MESH_EXTERNAL',
          },
        },
      ],
      virtualServices: [
        vs('ext', {
          hosts: ['*.example.com'],
          tls: [
            {
              match: [{ port: 443, sniHosts: ['api.example.com'] }],
              route: [{ destination: { host: 'api.example.com' } }],
            },
          ],
          tcp: [{ route: [{ destination: { host: 'fallback.example.com' } }] }],
        }),
      ],
    });
    expect(
      evaluateTcp(m, productpage, 'api.example.com', 443, Math.random, { sni: 'api.example.com' }),
    ).toMatchObject({
      kind: 'route',
      tlsRoute: true,
      ruleIndex: 0,
      destination: { host: 'api.example.com', port: 443 },
      clientMtls: false,
    });
    expect(
      evaluateTcp(m, productpage, 'www.example.com', 443, Math.random, { sni: 'www.example.com' }),
    ).toMatchObject({
      destination: { host: 'fallback.example.com' },
    });
    expect(evaluateTcp(m, productpage, 'api.example.com', 443, Math.random)).toMatchObject({
      destination: { host: 'fallback.example.com' },
    });
  });
});
