import { describe, expect, it } from 'vitest';
import { GRAPH_GZIP_BODY } from '@meshlens/contract';
import { prefersGzipBody } from './syntheticApi';

describe('prefersGzipBody (the synthetic API answers as the console does)', () => {
  it('is true only when Accept ranks the gzip body above JSON', () => {
    expect(prefersGzipBody(`${GRAPH_GZIP_BODY}, application/json;q=0.9`)).toBe(true);
    expect(prefersGzipBody(GRAPH_GZIP_BODY)).toBe(true);
    for (const accept of [
      '',
      '*/*',
      'application/json',
      `application/json, ${GRAPH_GZIP_BODY};q=0.5`,
      `${GRAPH_GZIP_BODY};q=0, application/json`,
      'text/html,*/*;q=0.8',
    ])
      expect(prefersGzipBody(accept), accept).toBe(false);
  });
});
