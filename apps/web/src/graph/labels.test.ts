import { describe, expect, it } from 'vitest';
import { labelsToHide } from './labels';
import type { LabelCandidate } from './labels';

const box = (x1: number, y1: number, x2: number, y2: number) => ({ x1, y1, x2, y2 });

describe('label placement', () => {
  it('keeps labels in priority order and hides one that would cover a label kept before it', () => {
    const candidates: LabelCandidate[] = [
      { id: 'edge-slow', box: box(0, 0, 40, 20), priority: 1001 },
      { id: 'edge-failing', box: box(30, 10, 70, 30), priority: 1200 },
      { id: 'edge-apart', box: box(100, 0, 140, 20), priority: 1000 },
    ];
    expect([...labelsToHide(candidates)]).toEqual(['edge-slow']);
  });

  it('lets boxes touch (their outline and padding keep the texts apart), within half a pixel', () => {
    const touching: LabelCandidate[] = [
      { id: 'a', box: box(0, 0, 40, 20), priority: 2 },
      { id: 'b', box: box(40, 0, 80, 20), priority: 1 },
      { id: 'c', box: box(0, 19.6, 40, 40), priority: 0 },
    ];
    expect(labelsToHide(touching).size).toBe(0);
    const deeper = [...touching, { id: 'd', box: box(0, 18, 40, 30), priority: -1 }];
    expect([...labelsToHide(deeper)]).toEqual(['d']);
  });

  it('never hides an obstacle (a node shape) and never lets a label cover another element’s', () => {
    const candidates: LabelCandidate[] = [
      { id: 'shape:n1', box: box(0, 0, 26, 26), priority: 9000, obstacle: true, owner: 'n1' },
      { id: 'shape:n2', box: box(60, 0, 86, 26), priority: 9000, obstacle: true, owner: 'n2' },
      { id: 'shape:n3', box: box(70, 10, 96, 36), priority: 9000, obstacle: true, owner: 'n3' },
      // n1's own label touches n1's shape: fine; an edge label on n2's shape: hidden
      { id: 'n1', box: box(-10, 24, 36, 40), priority: 2000, owner: 'n1' },
      { id: 'edge', box: box(40, 0, 80, 12), priority: 1000 },
    ];
    expect([...labelsToHide(candidates)].sort()).toEqual(['edge']);
  });

  it('finds collisions across the spatial grid cells', () => {
    const many: LabelCandidate[] = Array.from({ length: 200 }, (_, i) => ({
      id: `l${i}`,
      // a row of 40-px labels every 30 px: every other one overlaps its left neighbour
      box: box(i * 30, 0, i * 30 + 40, 12),
      priority: 1000 - i,
    }));
    const hidden = labelsToHide(many);
    expect(hidden.size).toBe(100);
    expect([...hidden].every((id) => Number(id.slice(1)) % 2 === 1)).toBe(true);
  });
});
