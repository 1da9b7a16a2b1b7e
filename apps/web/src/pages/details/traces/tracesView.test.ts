import { describe, expect, it } from 'vitest';
import { parseTracesView, patchTracesSearch } from './tracesView';

describe('the Traces tab URL', () => {
  it('reads filters, falling back on malformed values', () => {
    expect(parseTracesView('minMs=250&errors=true&tag=http.status_code:503&limit=20')).toEqual({
      minDurationMs: 250,
      errorsOnly: true,
      tag: 'http.status_code:503',
      limit: 20,
    });
    expect(parseTracesView('minMs=abc&errors=1&tag=nocolon&limit=7')).toEqual({
      minDurationMs: undefined,
      errorsOnly: false,
      tag: undefined,
      limit: 100,
    });
  });

  it('patches its own parameters, keeps the others, drops defaults', () => {
    const s = patchTracesSearch('duration=600&minMs=5', {
      minDurationMs: undefined,
      errorsOnly: true,
      limit: 100,
    });
    expect(new URLSearchParams(s).toString()).toBe('duration=600&errors=true');
    expect(patchTracesSearch('errors=true&tag=a:b', { errorsOnly: false, tag: undefined })).toBe('');
    expect(parseTracesView(patchTracesSearch('', { tag: 'a:b', limit: 50 }))).toMatchObject({
      tag: 'a:b',
      limit: 50,
    });
  });
});
