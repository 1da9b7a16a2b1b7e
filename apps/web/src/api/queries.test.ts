import { describe, expect, it } from 'vitest';
import { graphAppenders } from './queries';

const view = { edgeLabels: 'none', selected: '', find: '', hide: '' };
const EDGE = 'vapp:bookinfo/productpage/v1>svc:bookinfo/reviews:http';

describe('graphAppenders', () => {
  it('asks no response times or throughput for the default view', () => {
    expect(graphAppenders(view)).toEqual([]);
    expect(graphAppenders({ ...view, edgeLabels: 'rate' })).toEqual([]);
    expect(graphAppenders({ ...view, edgeLabels: 'percent', selected: 'svc:bookinfo/reviews' })).toEqual([]);
  });

  it('asks response times for rt edge labels and find/hide on rt', () => {
    expect(graphAppenders({ ...view, edgeLabels: 'rt' })).toEqual(['responseTime']);
    expect(graphAppenders({ ...view, find: 'rt > 100' })).toEqual(['responseTime']);
    expect(graphAppenders({ ...view, hide: 'responseTime < 5' })).toEqual(['responseTime']);
    // A word that merely contains the operand does not count.
    expect(graphAppenders({ ...view, find: 'name = smart' })).toEqual([]);
  });

  it('asks both for a selected edge (its side panel shows them) and throughput for find on it', () => {
    expect(graphAppenders({ ...view, selected: EDGE })).toEqual(['responseTime', 'throughput']);
    expect(graphAppenders({ ...view, find: 'throughput > 1000' })).toEqual(['throughput']);
  });
});
