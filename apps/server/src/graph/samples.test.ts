import { describe, expect, it } from 'vitest';
import { countedSamples, readByKiali, toSamples } from './samples';

const metric = (reporter: string, srcWl: string) => ({
  reporter,
  source_workload: srcWl,
  source_workload_namespace: srcWl === 'unknown' ? 'unknown' : 'a',
  destination_service_name: 'b',
  destination_workload: 'b-v1',
  destination_workload_namespace: 'b',
});

describe('samples', () => {
  it('drops NaN and infinite values and fills missing labels with unknown', () => {
    const s = toSamples([
      { metric: metric('source', 'a-v1'), value: [1, '2.5'] },
      { metric: metric('source', 'a-v1'), value: [1, 'NaN'] },
      { metric: metric('source', 'a-v1'), value: [1, '+Inf'] },
    ]);
    expect(s).toHaveLength(1);
    expect(s[0]).toMatchObject({ value: 2.5, dstSvcNs: 'unknown', flags: '-' });
  });

  it("reads destination reports into the namespaces and source reports out of them, as Kiali's queries", () => {
    const [src, dst, unknownCaller, waypoint] = toSamples([
      { metric: metric('source', 'a-v1'), value: [1, '1'] },
      { metric: metric('destination', 'a-v1'), value: [1, '1'] },
      { metric: metric('destination', 'unknown'), value: [1, '1'] },
      { metric: metric('waypoint', 'a-v1'), value: [1, '1'] },
    ]);
    // graph of namespace b: the destination reports only (the caller a is outside)
    const b = new Set(['b']);
    expect([src, dst, unknownCaller, waypoint].map((s) => readByKiali(s!, b))).toEqual([
      false,
      true,
      true,
      false,
    ]);
    // graph of namespace a: a's source report only
    const a = new Set(['a']);
    expect([src, dst, unknownCaller].map((s) => readByKiali(s!, a))).toEqual([true, false, false]);
  });

  it('counts a request reported by both proxies once, and one reported by either alone', () => {
    const both = new Set(['a', 'b']);
    const reported = toSamples([
      { metric: metric('source', 'a-v1'), value: [1, '3'] },
      { metric: metric('destination', 'a-v1'), value: [1, '3'] },
      // only the caller saw these (a local reply) …
      {
        metric: { ...metric('source', 'a-v1'), response_code: '503', response_flags: 'UO' },
        value: [1, '1'],
      },
      // … and only the callee these (the caller's proxy does not report)
      { metric: { ...metric('destination', 'a-v1'), source_workload: 'a-v2' }, value: [1, '2'] },
      // another callee workload, reported by both proxies, and one only the caller reported
      { metric: { ...metric('source', 'a-v1'), destination_workload: 'b-v2' }, value: [1, '4'] },
      { metric: { ...metric('destination', 'a-v1'), destination_workload: 'b-v2' }, value: [1, '4'] },
      { metric: { ...metric('source', 'a-v1'), destination_workload: 'b-v3' }, value: [1, '5'] },
    ]);
    const counted = countedSamples(reported, both);
    expect(counted.map((s) => [s.reporter, s.srcWl, s.dstWl, s.code || '-', s.value])).toEqual([
      ['destination', 'a-v1', 'b-v1', '-', 3],
      ['destination', 'a-v2', 'b-v1', '-', 2],
      ['destination', 'a-v1', 'b-v2', '-', 4],
      ['source', 'a-v1', 'b-v1', '503', 1],
      ['source', 'a-v1', 'b-v3', '-', 5],
    ]);
  });
});
