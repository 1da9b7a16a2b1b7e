import { describe, expect, it } from 'vitest';
import { parseViewState } from '../../url/viewState';
import { emptyKind } from './GraphEmpty';
import { graphParamsOf } from './graphParams';

describe('emptyKind', () => {
  const base = {
    namespaces: 1,
    error: false,
    answer: true,
    prometheusDown: false,
    nodeCount: 5,
    trafficEdges: 4,
    idle: false,
  };
  it('asks for namespaces first, whatever else is true', () => {
    expect(emptyKind({ ...base, namespaces: 0, error: true, prometheusDown: true })).toBe('no-namespace');
  });
  it('shows an error only when there is no answer to keep showing', () => {
    expect(emptyKind({ ...base, error: true, answer: false })).toBe('error');
    expect(emptyKind({ ...base, error: true })).toBeNull();
  });
  it('says nothing while the first answer is on its way', () => {
    expect(emptyKind({ ...base, answer: false })).toBeNull();
  });
  it('blames Prometheus, not the mesh, for a graph without traffic while Prometheus is down', () => {
    expect(emptyKind({ ...base, trafficEdges: 0, prometheusDown: true })).toBe('prometheus');
    expect(emptyKind({ ...base, trafficEdges: 0 })).toBe('no-traffic');
    expect(emptyKind({ ...base, nodeCount: 0 })).toBe('no-traffic');
  });
  it('shows idle nodes without traffic as a graph', () => {
    expect(emptyKind({ ...base, trafficEdges: 0, idle: true })).toBeNull();
    expect(emptyKind(base)).toBeNull();
  });
});

describe('graphParamsOf', () => {
  it('is null until namespaces are chosen', () => {
    expect(graphParamsOf(parseViewState(''))).toBeNull();
  });
  it('carries the view fields the server reads, and queryTime only when replaying', () => {
    const view = parseViewState(
      'namespaces=bookinfo,travels&graphType=app&duration=300&idle=true&rateTcp=total',
    );
    expect(graphParamsOf(view)).toMatchObject({
      namespaces: ['bookinfo', 'travels'],
      graphType: 'app',
      duration: 300,
      includeIdle: true,
      rateTcp: 'total',
      boxBy: 'none',
    });
    expect(graphParamsOf(view)).not.toHaveProperty('queryTime');
    expect(graphParamsOf({ ...view, queryTime: 1700000000 })).toHaveProperty('queryTime', 1700000000);
  });
});
