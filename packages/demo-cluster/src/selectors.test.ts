import { describe, expect, it } from 'vitest';
import {
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
  selectorFromLabelSelector,
} from './selectors';

const labels = { app: 'reviews', version: 'v2', tier: 'backend' };

describe('label selectors', () => {
  it.each([
    ['app=reviews', true],
    ['app==reviews', true],
    ['app!=reviews', false],
    ['app!=ratings', true],
    ['missing!=x', true],
    ['app in (ratings,reviews)', true],
    ['app in (ratings)', false],
    ['version notin (v1, v3)', true],
    ['version notin (v2)', false],
    ['missing notin (x)', true],
    ['tier', true],
    ['missing', false],
    ['!missing', true],
    ['!tier', false],
    ['app=reviews,version in (v2),!canary', true],
    ['app=reviews,version=v1', false],
    ['', true],
  ])('%s → %s', (sel, expected) => {
    expect(matchesLabels(parseLabelSelector(sel), labels)).toBe(expected);
  });

  it('rejects malformed selectors with a message naming the problem', () => {
    expect(() => parseLabelSelector('app in (a')).toThrow(/unable to parse requirement/);
    expect(() => parseLabelSelector('a=b c')).toThrow();
    expect(() => parseLabelSelector('app=not valid!')).toThrow(/unable to parse/);
  });

  it('turns matchLabels and matchExpressions into requirements', () => {
    const sel = selectorFromLabelSelector({
      matchLabels: { app: 'reviews' },
      matchExpressions: [
        { key: 'version', operator: 'In', values: ['v2', 'v3'] },
        { key: 'canary', operator: 'DoesNotExist' },
      ],
    });
    expect(matchesLabels(sel, labels)).toBe(true);
    expect(matchesLabels(sel, { ...labels, canary: 'yes' })).toBe(false);
  });
});

describe('field selectors', () => {
  const obj = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'ns' },
    status: { phase: 'Running' },
  };

  it('matches metadata.name, metadata.namespace and per-kind fields', () => {
    expect(matchesFields(parseFieldSelector('metadata.name=p,metadata.namespace=ns', 'Pod'), obj)).toBe(true);
    expect(matchesFields(parseFieldSelector('metadata.namespace!=ns', 'Pod'), obj)).toBe(false);
    expect(matchesFields(parseFieldSelector('status.phase=Running', 'Pod'), obj)).toBe(true);
  });

  it('rejects unsupported fields', () => {
    expect(() => parseFieldSelector('status.phase=Running', 'ConfigMap')).toThrow(
      'field label not supported: status.phase',
    );
  });
});
