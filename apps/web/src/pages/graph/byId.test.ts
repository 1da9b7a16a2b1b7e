import { afterEach, describe, expect, it, vi } from 'vitest';
import { byId, SCANS_BEFORE_INDEX } from './byId';

const items = Array.from({ length: 50 }, (_, i) => ({ id: `e${i}`, rate: i }));

afterEach(() => vi.restoreAllMocks());

describe('byId', () => {
  it('finds every item by its id, and nothing for an unknown or empty id', () => {
    const index = byId(items);
    for (const item of items) expect(index.get(item.id)).toBe(item);
    expect(index.get('nope')).toBeUndefined();
    expect(index.get('')).toBeUndefined();
    expect(byId(undefined).get('e1')).toBeUndefined();
  });

  it('builds no index for the few look-ups of a refresh, one for many', () => {
    const built = vi.spyOn(Array.prototype, 'map');
    const index = byId(items);
    for (let i = 0; i < SCANS_BEFORE_INDEX; i++) expect(index.get(`e${i}`)?.rate).toBe(i);
    expect(built).not.toHaveBeenCalled();
    for (let i = 0; i < 40; i++) expect(index.get(`e${i}`)?.rate).toBe(i);
    expect(built).toHaveBeenCalledTimes(1);
  });
});
