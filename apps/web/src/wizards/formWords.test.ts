import { describe, expect, it } from 'vitest';
import { formLabel } from './formWords';

describe('errors in the words of the form', () => {
  it('names the field a cause points at, as the form labels it', () => {
    expect(formLabel('gateway/hosts')).toBe('Hosts');
    expect(formLabel('gateway/create/hosts[0]')).toBe('Hosts');
    expect(formLabel('gateway/create/port')).toBe('Port');
    expect(formLabel('gateway/includeMesh')).toBe("Keep routing the mesh's own traffic");
    expect(formLabel('trafficShifting/weights/v2')).toBe('Weight of v2');
    expect(formLabel('timeoutsRetries/timeout')).toBe('Request timeout');
    expect(formLabel('timeoutsRetries/retries/perTryTimeout')).toBe('Per-try timeout');
    expect(formLabel('faultInjection/abort/httpStatus')).toBe('HTTP status');
    expect(formLabel('circuitBreaker/outlierDetection/consecutive5xxErrors')).toBe('Consecutive 5xx errors');
    expect(formLabel('requestRouting/rules[1]/match[0]/headers')).toBe('Rule 2');
  });

  it('leaves paths into objects (spec/…) and unknown paths alone', () => {
    expect(formLabel('spec/http[0]/timeout')).toBeUndefined();
    expect(formLabel('')).toBeUndefined();
  });
});
