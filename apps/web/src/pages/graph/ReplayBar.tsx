import { useEffect, useState } from 'react';
import { grouped, placed, useChangeMarkers } from '../changes/markers';
import { useView } from '../../url/useView';

export const REPLAY_WINDOW_S = 1800;
const STEP_S = 10;
const SPEEDS = [
  { ms: 1000, label: '1 s / frame' },
  { ms: 3000, label: '3 s / frame' },
  { ms: 5000, label: '5 s / frame' },
];

export interface ReplayBarProps {
  /** Unix seconds being shown; 0 = live. */
  queryTime: number;
  onChange: (queryTime: number) => void;
  onClose: () => void;
}

const fmt = (t: number) =>
  new Date(t * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** Scrub back through the last 30 minutes (the graph's queryTime) and play forward 10 s per frame. */
export function ReplayBar({ queryTime, onChange, onClose }: ReplayBarProps) {
  const [end] = useState(() => Math.floor(Date.now() / 1000 / STEP_S) * STEP_S);
  const start = end - REPLAY_WINDOW_S;
  // a fresh replay starts 5 minutes back (the start of a fresh demo's 30-minute window is empty)
  const initial = end - 300;
  const current = queryTime > 0 ? Math.min(Math.max(queryTime, start), end) : initial;
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState(3000);
  // Changes of the history in the replayed window, marked on the track (of the graph's namespaces).
  const [view] = useView();
  const marks = grouped(
    placed(
      useChangeMarkers(undefined, `${REPLAY_WINDOW_S}s`).filter(
        (m) => view.namespaces.length === 0 || view.namespaces.includes(m.namespace),
      ),
      start,
      end,
      // the track ends at "now" rounded down to a step: a change of the last step is marked at its end
      STEP_S,
    ),
  );

  useEffect(() => {
    if (queryTime === 0) onChange(initial);
  }, [queryTime, initial, onChange]);

  useEffect(() => {
    if (!playing) return;
    const timer = window.setInterval(() => {
      const next = current + STEP_S;
      if (next >= end) setPlaying(false);
      onChange(Math.min(next, end));
    }, speed);
    return () => window.clearInterval(timer);
  }, [playing, speed, current, end, onChange]);

  return (
    <div className="replay" role="group" aria-label="Replay" data-testid="replay">
      <button
        type="button"
        className="button"
        onClick={() => setPlaying((p) => !p)}
        aria-label={playing ? 'Pause replay' : 'Play replay'}
      >
        {playing ? '❚❚ Pause' : '▶ Play'}
      </button>
      <span className="muted small">{fmt(start)}</span>
      <div className="replay-track">
        <input
          type="range"
          aria-label="Replay time"
          min={start}
          max={end}
          step={STEP_S}
          value={current}
          onChange={(e) => {
            setPlaying(false);
            onChange(Number(e.target.value));
          }}
        />
        {marks.map((m) => (
          <button
            key={m.id}
            type="button"
            className="replay-marker"
            style={{ left: `${m.at * 100}%` }}
            title={m.label}
            aria-label={`Go to change: ${m.label}`}
            data-testid="replay-marker"
            onClick={() => {
              setPlaying(false);
              onChange(Math.floor(m.time / STEP_S) * STEP_S + STEP_S);
            }}
          />
        ))}
      </div>
      <span className="muted small">{fmt(end)}</span>
      <strong className="replay-time" data-testid="replay-time">
        {fmt(current)}
      </strong>
      <select
        className="select small"
        aria-label="Replay speed"
        value={speed}
        onChange={(e) => setSpeed(Number(e.target.value))}
      >
        {SPEEDS.map((s) => (
          <option key={s.ms} value={s.ms}>
            {s.label}
          </option>
        ))}
      </select>
      <button type="button" className="button" onClick={onClose}>
        Back to live
      </button>
    </div>
  );
}
