/** HTTP match semantics (TRAFFIC-SEMANTICS.md §2), through evaluateHttp and the matcher functions. */
import { describe, expect, it } from 'vitest';
import { evaluateHttp } from './evaluate';
import { compileRe2, isCatchAllRule, parseQuery, stringMatches } from './match';
import type { Caller, HttpOutcome, HttpRequest } from './evaluate.types';
import type { HTTPMatchRequest } from './model';
import { dr, mesh, productpage, vs } from '../test/fixtures';

/** Which rule (by name) a request lands on, for a VS with one named rule per match plus nothing else. */
function landsOn(
  match: HTTPMatchRequest[] | undefined,
  req: Partial<HttpRequest>,
  caller: Caller = productpage,
): boolean {
  const m = mesh({
    virtualServices: [
      vs('reviews', {
        hosts: ['reviews'],
        http: [{ name: 'r', ...(match ? { match } : {}), route: [{ destination: { host: 'reviews' } }] }],
      }),
    ],
  });
  const o: HttpOutcome = evaluateHttp(
    m,
    caller,
    { host: 'reviews', path: '/', method: 'GET', headers: {}, ...req },
    Math.random,
  );
  return o.kind === 'route' && o.ruleName === 'r';
}

describe('uri', () => {
  it('exact, prefix (plain string prefix) and regex (whole path, RE2)', () => {
    expect(landsOn([{ uri: { exact: '/a' } }], { path: '/a' })).toBe(true);
    expect(landsOn([{ uri: { exact: '/a' } }], { path: '/a/' })).toBe(false);
    expect(landsOn([{ uri: { exact: '/a' } }], { path: '/a?x=1' })).toBe(true);
    expect(landsOn([{ uri: { prefix: '/static' } }], { path: '/staticfoo' })).toBe(true);
    expect(landsOn([{ uri: { prefix: '/static' } }], { path: '/stat' })).toBe(false);
    expect(landsOn([{ uri: { regex: '/reviews/\\d+' } }], { path: '/reviews/12' })).toBe(true);
    expect(landsOn([{ uri: { regex: '/reviews/\\d+' } }], { path: '/reviews/12/x' })).toBe(false);
    expect(landsOn([{ uri: { regex: '/reviews/\\d+' } }], { path: '/api/reviews/12' })).toBe(false);
    expect(landsOn([{ uri: { regex: '/reviews/\\d+' } }], { path: '/reviews/12?page=2' })).toBe(true);
  });

  it('ignoreUriCase affects exact and prefix only', () => {
    expect(landsOn([{ uri: { exact: '/Login' } }], { path: '/login' })).toBe(false);
    expect(landsOn([{ uri: { exact: '/Login' }, ignoreUriCase: true }], { path: '/login' })).toBe(true);
    expect(landsOn([{ uri: { prefix: '/API' }, ignoreUriCase: true }], { path: '/api/v1' })).toBe(true);
    expect(landsOn([{ uri: { regex: '/API' }, ignoreUriCase: true }], { path: '/api' })).toBe(false);
    expect(landsOn([{ uri: { regex: '(?i)/API' } }], { path: '/api' })).toBe(true);
  });
});

describe('headers and withoutHeaders', () => {
  it('exact / prefix / regex, lowercase names, case-insensitive lookup', () => {
    expect(
      landsOn([{ headers: { 'end-user': { exact: 'jason' } } }], { headers: { 'END-USER': 'jason' } }),
    ).toBe(true);
    expect(
      landsOn([{ headers: { 'end-user': { prefix: 'ja' } } }], { headers: { 'end-user': 'jason' } }),
    ).toBe(true);
    expect(
      landsOn([{ headers: { 'end-user': { regex: 'j.*n' } } }], { headers: { 'end-user': 'jason' } }),
    ).toBe(true);
    expect(landsOn([{ headers: { 'end-user': { regex: 'j' } } }], { headers: { 'end-user': 'jason' } })).toBe(
      false,
    );
  });

  it('an empty StringMatch (or regex "*") tests presence', () => {
    expect(landsOn([{ headers: { 'x-canary': {} } }], { headers: { 'x-canary': '' } })).toBe(true);
    expect(landsOn([{ headers: { 'x-canary': {} } }], { headers: {} })).toBe(false);
    expect(
      landsOn([{ headers: { 'x-canary': { regex: '*' } } }], { headers: { 'x-canary': 'anything' } }),
    ).toBe(true);
  });

  it('withoutHeaders negates; a missing header counts as empty for value matchers', () => {
    const m = [{ withoutHeaders: { 'end-user': { exact: 'jason' } } }];
    expect(landsOn(m, { headers: { 'end-user': 'jason' } })).toBe(false);
    expect(landsOn(m, { headers: { 'end-user': 'alice' } })).toBe(true);
    expect(landsOn(m, { headers: {} })).toBe(true);
    expect(landsOn([{ withoutHeaders: { 'end-user': { exact: '' } } }], { headers: {} })).toBe(false);
    expect(landsOn([{ withoutHeaders: { 'x-debug': {} } }], { headers: { 'x-debug': '1' } })).toBe(false);
    expect(landsOn([{ withoutHeaders: { 'x-debug': {} } }], { headers: {} })).toBe(true);
  });

  it('ignores uri/scheme/method/authority keys in headers', () => {
    expect(landsOn([{ headers: { method: { exact: 'POST' } } }], { method: 'GET' })).toBe(true);
  });
});

describe('queryParams, method, authority, scheme, port', () => {
  it('queryParams: exact, regex full match, presence, exact "" for a bare key', () => {
    expect(landsOn([{ queryParams: { id: { exact: '7' } } }], { path: '/p?id=7' })).toBe(true);
    expect(landsOn([{ queryParams: { id: { exact: '7' } } }], { path: '/p?id=77' })).toBe(false);
    expect(landsOn([{ queryParams: { id: { regex: '\\d+$' } } }], { path: '/p?id=123' })).toBe(true);
    expect(landsOn([{ queryParams: { id: { regex: '\\d+$' } } }], { path: '/p?id=a123' })).toBe(false);
    expect(landsOn([{ queryParams: { debug: {} } }], { path: '/p?debug=on' })).toBe(true);
    expect(landsOn([{ queryParams: { debug: {} } }], { path: '/p' })).toBe(false);
    expect(landsOn([{ queryParams: { debug: { exact: '' } } }], { path: '/p?debug' })).toBe(true);
  });

  it('method, authority, scheme and port', () => {
    expect(landsOn([{ method: { exact: 'POST' } }], { method: 'POST' })).toBe(true);
    expect(landsOn([{ method: { exact: 'POST' } }], { method: 'GET' })).toBe(false);
    expect(landsOn([{ method: { regex: 'GET|HEAD' } }], { method: 'HEAD' })).toBe(true);
    expect(landsOn([{ authority: { prefix: 'reviews' } }], { host: 'reviews:9080' })).toBe(true);
    expect(landsOn([{ authority: { exact: 'reviews.bookinfo' } }], { host: 'reviews' })).toBe(false);
    expect(landsOn([{ scheme: { exact: 'https' } }], {})).toBe(false);
    expect(landsOn([{ port: 9080 }], { host: 'reviews' })).toBe(true);
    expect(landsOn([{ port: 9081 }], { host: 'reviews' })).toBe(false);
  });
});

describe('AND within a block, OR between blocks, first rule wins', () => {
  it('conditions of one block are ANDed; blocks are ORed', () => {
    const and = [{ uri: { prefix: '/a' }, method: { exact: 'POST' } }];
    expect(landsOn(and, { path: '/a', method: 'POST' })).toBe(true);
    expect(landsOn(and, { path: '/a', method: 'GET' })).toBe(false);
    const or = [{ uri: { prefix: '/a' } }, { method: { exact: 'POST' } }];
    expect(landsOn(or, { path: '/b', method: 'POST' })).toBe(true);
    expect(landsOn(or, { path: '/a', method: 'GET' })).toBe(true);
    expect(landsOn(or, { path: '/b', method: 'GET' })).toBe(false);
  });

  it('an empty match object matches everything', () => {
    expect(landsOn([{}], { path: '/anything', method: 'DELETE' })).toBe(true);
  });

  it('the first matching rule wins even if a later one is more specific', () => {
    const m = mesh({
      virtualServices: [
        vs('reviews', {
          hosts: ['reviews'],
          http: [
            {
              name: 'broad',
              match: [{ uri: { prefix: '/' } }],
              route: [{ destination: { host: 'reviews', subset: 'v1' } }],
            },
            {
              name: 'narrow',
              match: [{ uri: { exact: '/x' } }],
              route: [{ destination: { host: 'reviews', subset: 'v2' } }],
            },
          ],
        }),
      ],
      destinationRules: [dr('reviews', { host: 'reviews', subsets: [{ name: 'v1' }, { name: 'v2' }] })],
    });
    const o = evaluateHttp(
      m,
      productpage,
      { host: 'reviews', path: '/x', method: 'GET', headers: {} },
      Math.random,
    );
    expect(o).toMatchObject({ ruleName: 'broad', ruleIndex: 0 });
  });
});

describe('config-time filters: sourceLabels, sourceNamespace, per-match gateways', () => {
  const v2: Caller = { namespace: 'bookinfo', labels: { app: 'reviews', version: 'v2' } };
  it('sourceLabels must be a subset of the caller labels', () => {
    expect(landsOn([{ sourceLabels: { app: 'reviews', version: 'v2' } }], {}, v2)).toBe(true);
    expect(landsOn([{ sourceLabels: { app: 'reviews', version: 'v2' } }], {}, productpage)).toBe(false);
    expect(landsOn([{ sourceLabels: { app: 'reviews' } }], {}, v2)).toBe(true);
  });

  it('sourceNamespace must equal the caller namespace', () => {
    expect(landsOn([{ sourceNamespace: 'bookinfo' }], {}, v2)).toBe(true);
    expect(landsOn([{ sourceNamespace: 'other' }], {}, v2)).toBe(false);
  });

  it('per-match gateways replace the source checks and select the proxy', () => {
    expect(landsOn([{ gateways: ['mesh'], sourceLabels: { app: 'nobody' } }], {}, v2)).toBe(true);
    expect(landsOn([{ gateways: ['bookinfo-gateway'] }], {}, v2)).toBe(false);
  });
});

describe('matcher helpers', () => {
  it('RE2 regexes compile anchored; named groups converted; invalid ones never match', () => {
    expect(compileRe2('a+')?.test('aaa')).toBe(true);
    expect(compileRe2('a+')?.test('baaa')).toBe(false);
    expect(compileRe2('(?P<id>\\d+)')?.test('42')).toBe(true);
    expect(compileRe2('(')).toBeNull();
    expect(stringMatches({ regex: '(' }, 'x')).toBe(false);
  });

  it('parseQuery keeps the first value and decodes', () => {
    expect(Object.fromEntries(parseQuery('/p?a=1&a=2&b=x%20y&c'))).toEqual({ a: '1', b: 'x y', c: '' });
  });

  it('catch-all rules: no match, prefix "/", regex ".*"', () => {
    expect(isCatchAllRule({})).toBe(true);
    expect(isCatchAllRule({ match: [{ uri: { prefix: '/' } }] })).toBe(true);
    expect(isCatchAllRule({ match: [{ uri: { prefix: '/' }, method: { exact: 'GET' } }] })).toBe(false);
    expect(isCatchAllRule({ match: [{ uri: { regex: '.*' } }] })).toBe(true);
  });
});
