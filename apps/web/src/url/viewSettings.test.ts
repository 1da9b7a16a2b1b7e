import { describe, expect, it } from 'vitest';
import { DURATION_CHOICES_SECONDS, REFRESH_CHOICES_MS } from '@meshlens/contract';
import {
  DEFAULT_VIEW,
  durationLabel,
  parseViewState,
  patchViewSearch,
  refreshLabel,
  viewSettings,
  type UiConfig,
} from './viewState';

/** A server started with `--refresh-interval 45s --duration 2h --graph-type workload`. */
const CONFIGURED: UiConfig = {
  refreshIntervalMs: 45_000,
  refreshIntervalsMs: [0, 10_000, 15_000, 30_000, 45_000, 60_000],
  durationSeconds: 7200,
  durationsSeconds: [60, 300, 3600, 7200],
  defaultGraphType: 'workload',
};

describe('the view from the server config', () => {
  it('takes its defaults from the server', () => {
    const s = viewSettings(CONFIGURED);
    expect(s.defaults).toMatchObject({ refresh: 45_000, duration: 7200, graphType: 'workload' });
    expect(parseViewState('', s)).toMatchObject({ refresh: 45_000, duration: 7200, graphType: 'workload' });
  });

  it('offers exactly the server lists, with the defaults as labelled choices', () => {
    const s = viewSettings(CONFIGURED);
    expect(s.durations).toEqual([
      { seconds: 60, label: 'Last 1m' },
      { seconds: 300, label: 'Last 5m' },
      { seconds: 3600, label: 'Last 1h' },
      { seconds: 7200, label: 'Last 2h' },
    ]);
    expect(s.refreshes.map((r) => r.ms)).toEqual(CONFIGURED.refreshIntervalsMs);
    expect(s.refreshes.find((r) => r.ms === 45_000)?.label).toBe('Every 45s');
  });

  it('adds a default the list forgot, in order', () => {
    const s = viewSettings({ ...CONFIGURED, durationsSeconds: [60, 300], refreshIntervalsMs: [0, 60_000] });
    expect(s.durations.map((d) => d.seconds)).toEqual([60, 300, 7200]);
    expect(s.refreshes.map((r) => r.ms)).toEqual([0, 45_000, 60_000]);
  });

  it('lets the URL win over the server defaults, within the offered choices', () => {
    const s = viewSettings(CONFIGURED);
    expect(parseViewState('duration=300&refresh=0&graphType=app', s)).toMatchObject({
      duration: 300,
      refresh: 0,
      graphType: 'app',
    });
    // not offered by this server: its default, not the built-in one
    expect(parseViewState('duration=600&refresh=300000', s)).toMatchObject({
      duration: 7200,
      refresh: 45_000,
    });
  });

  it('keeps the server default out of the URL and writes the built-in default into it', () => {
    const s = viewSettings(CONFIGURED);
    expect(patchViewSearch('', { duration: 7200, refresh: 45_000 }, s)).toBe('');
    expect(patchViewSearch('', { duration: 300, refresh: 15_000 }, s)).toBe('duration=300&refresh=15000');
  });

  it('falls back to the contract lists before the server answered', () => {
    const s = viewSettings();
    expect(s.defaults).toEqual(DEFAULT_VIEW);
    expect(s.durations.map((d) => d.seconds)).toEqual([...DURATION_CHOICES_SECONDS]);
    expect(s.refreshes.map((r) => r.ms)).toEqual([...REFRESH_CHOICES_MS]);
  });
});

describe('picker labels', () => {
  it('formats ranges and intervals', () => {
    expect(durationLabel(30)).toBe('Last 30s');
    expect(durationLabel(86_400)).toBe('Last 1d');
    expect(durationLabel(43_200)).toBe('Last 12h');
    expect(refreshLabel(0)).toBe('Pause');
    expect(refreshLabel(300_000)).toBe('Every 5m');
    expect(refreshLabel(1500)).toBe('Every 1500ms');
  });
});
