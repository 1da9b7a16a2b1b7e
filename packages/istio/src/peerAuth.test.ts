/** PeerAuthentication precedence, portLevelMtls, and the resulting connection security (client × server). */
import { describe, expect, it } from 'vitest';
import { connectionSecurityPolicy, peerAuthMode, serverAcceptsConnection } from './peerAuth';
import { evaluateHttp } from './evaluate';
import type { HttpOutcome } from './evaluate.types';
import { get, mesh, pa, productpage } from '../test/fixtures';

const reviewsLabels = { app: 'reviews', version: 'v1' };
const meshStrict = pa('default', { mtls: { mode: 'STRICT' } }, 'istio-system');
const nsPermissive = pa('default', { mtls: { mode: 'PERMISSIVE' } });
const nsDisable = pa('default', { mtls: { mode: 'DISABLE' } });
const wlStrict = pa('reviews', { selector: { matchLabels: { app: 'reviews' } }, mtls: { mode: 'STRICT' } });

describe('peerAuthMode', () => {
  it('defaults to PERMISSIVE without any policy', () => {
    expect(peerAuthMode(mesh({}), 'bookinfo', reviewsLabels)).toBe('PERMISSIVE');
  });

  it('workload selector > namespace > root namespace', () => {
    expect(peerAuthMode(mesh({ peerAuthentications: [meshStrict] }), 'bookinfo', reviewsLabels)).toBe(
      'STRICT',
    );
    expect(
      peerAuthMode(mesh({ peerAuthentications: [meshStrict, nsPermissive] }), 'bookinfo', reviewsLabels),
    ).toBe('PERMISSIVE');
    expect(
      peerAuthMode(
        mesh({ peerAuthentications: [meshStrict, nsDisable, wlStrict] }),
        'bookinfo',
        reviewsLabels,
      ),
    ).toBe('STRICT');
    expect(
      peerAuthMode(mesh({ peerAuthentications: [nsDisable, wlStrict] }), 'bookinfo', { app: 'ratings' }),
    ).toBe('DISABLE');
    // A namespace policy elsewhere does not leak.
    expect(
      peerAuthMode(
        mesh({ peerAuthentications: [pa('default', { mtls: { mode: 'STRICT' } }, 'shop')] }),
        'bookinfo',
        reviewsLabels,
      ),
    ).toBe('PERMISSIVE');
  });

  it('UNSET or absent mode inherits from the level above', () => {
    const unset = pa('reviews', { selector: { matchLabels: { app: 'reviews' } }, mtls: { mode: 'UNSET' } });
    expect(peerAuthMode(mesh({ peerAuthentications: [meshStrict, unset] }), 'bookinfo', reviewsLabels)).toBe(
      'STRICT',
    );
    const noMtls = pa('ns', {});
    expect(peerAuthMode(mesh({ peerAuthentications: [meshStrict, noMtls] }), 'bookinfo', reviewsLabels)).toBe(
      'STRICT',
    );
  });

  it('portLevelMtls overrides the workload mode for that port only', () => {
    const wl = pa('reviews', {
      selector: { matchLabels: { app: 'reviews' } },
      mtls: { mode: 'STRICT' },
      portLevelMtls: { '9080': { mode: 'DISABLE' }, '9090': { mode: 'UNSET' } },
    });
    const m = mesh({ peerAuthentications: [wl] });
    expect(peerAuthMode(m, 'bookinfo', reviewsLabels, 9080)).toBe('DISABLE');
    expect(peerAuthMode(m, 'bookinfo', reviewsLabels, 9090)).toBe('STRICT');
    expect(peerAuthMode(m, 'bookinfo', reviewsLabels, 8080)).toBe('STRICT');
    expect(peerAuthMode(m, 'bookinfo', reviewsLabels)).toBe('STRICT');
  });

  it('of two workload policies the oldest wins', () => {
    const older = pa(
      'a',
      { selector: { matchLabels: { app: 'reviews' } }, mtls: { mode: 'DISABLE' } },
      'bookinfo',
      '2026-01-01T00:00:00Z',
    );
    const newer = pa(
      'b',
      { selector: { matchLabels: { version: 'v1' } }, mtls: { mode: 'STRICT' } },
      'bookinfo',
      '2026-02-01T00:00:00Z',
    );
    expect(peerAuthMode(mesh({ peerAuthentications: [newer, older] }), 'bookinfo', reviewsLabels)).toBe(
      'DISABLE',
    );
  });
});

describe('connection security', () => {
  it('mutual_tls only when the client speaks mTLS and the server terminates it', () => {
    expect(connectionSecurityPolicy(true, 'STRICT')).toBe('mutual_tls');
    expect(connectionSecurityPolicy(true, 'PERMISSIVE')).toBe('mutual_tls');
    expect(connectionSecurityPolicy(false, 'PERMISSIVE')).toBe('none');
    expect(connectionSecurityPolicy(true, 'DISABLE')).toBe('none');
    expect(serverAcceptsConnection(false, 'STRICT')).toBe(false);
    expect(serverAcceptsConnection(false, 'PERMISSIVE')).toBe(true);
    expect(serverAcceptsConnection(true, 'DISABLE')).toBe(false);
  });

  it('auto mTLS follows the destination namespace policy: DISABLE → plaintext', () => {
    const o = evaluateHttp(
      mesh({ peerAuthentications: [nsDisable] }),
      productpage,
      get('reviews'),
      Math.random,
    ) as HttpOutcome & {
      clientMtls: boolean;
    };
    expect(o.clientMtls).toBe(false);
    const strict = evaluateHttp(
      mesh({ peerAuthentications: [meshStrict] }),
      productpage,
      get('reviews'),
      Math.random,
    ) as HttpOutcome & {
      clientMtls: boolean;
    };
    expect(strict.clientMtls).toBe(true);
    expect(
      connectionSecurityPolicy(
        strict.clientMtls,
        peerAuthMode(mesh({ peerAuthentications: [meshStrict] }), 'bookinfo', reviewsLabels),
      ),
    ).toBe('mutual_tls');
  });
});
