import { describe, expect, it } from 'vitest';
import type { GraphResponse } from '@meshlens/contract';
import { COLUMN_GAP, miniLayout, ROW_GAP } from './miniGraph';

const g = (edges: [string, string][]): GraphResponse =>
  ({
    nodes: [...new Set(edges.flat())].map((id) => ({ id, label: id.toUpperCase() })),
    edges: edges.map(([source, target]) => ({
      id: `${source}>${target}`,
      source,
      target,
      healthStatus: 'Healthy',
    })),
  }) as unknown as GraphResponse;

describe('miniLayout', () => {
  it('over several clusters, one centre for the entity in each of them, peers on their sides', () => {
    const l = miniLayout(
      g([
        ['a@east', 'c@east'],
        ['a@east', 'c@west'],
        ['c@west', 'd@west'],
        ['cx@west', 'd@west'],
      ]),
      'c',
    );
    const centre = l.nodes.filter((n) => n.centre);
    expect(centre).toMatchObject([{ id: 'c', label: 'C@EAST', x: COLUMN_GAP }]);
    expect(l.nodes.map((n) => n.id).sort()).toEqual(['a@east', 'c', 'd@west']);
    expect(l.edges.map((e) => `${e.from.id}>${e.to.id}`)).toEqual(['a@east>c', 'a@east>c', 'c>d@west']);
  });

  it('callers left, the entity centred, callees right', () => {
    const l = miniLayout(
      g([
        ['a', 'c'],
        ['b', 'c'],
        ['c', 'd'],
      ]),
      'c',
    );
    const at = (id: string) => l.nodes.find((n) => n.id === id)!;
    expect([at('a').x, at('c').x, at('d').x]).toEqual([0, COLUMN_GAP, 2 * COLUMN_GAP]);
    expect(l.height).toBe(2 * ROW_GAP);
    expect(at('c')).toMatchObject({ y: ROW_GAP, centre: true, label: 'C' });
    expect(at('d').y).toBe(ROW_GAP);
    expect([at('a').y, at('b').y]).toEqual([ROW_GAP / 2, (3 * ROW_GAP) / 2]);
    expect(l.edges.map((e) => `${e.from.id}>${e.to.id}`)).toEqual(['a>c', 'b>c', 'c>d']);
  });

  it('a lone entity is one centred node', () => {
    const l = miniLayout({ nodes: [{ id: 'c', label: 'c' }], edges: [] } as unknown as GraphResponse, 'c');
    expect(l.nodes).toHaveLength(1);
    expect(l.edges).toEqual([]);
  });
});
