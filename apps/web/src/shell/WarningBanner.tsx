import { useState } from 'react';

export interface Warning {
  code: string;
  message: string;
}

const TITLES: Record<string, string> = {
  PrometheusUnavailable: 'Prometheus is unreachable',
  PrometheusTimeout: 'Prometheus is slow',
  PrometheusError: 'Prometheus returned an error',
  InventoryNotSynced: 'The Kubernetes inventory is still loading',
  NamespaceNotFound: 'A namespace could not be read',
};

/** The server's warnings (partial answers): what is shown is incomplete, and why. */
export function WarningBanner({ warnings }: { warnings: Warning[] }) {
  const [dismissed, setDismissed] = useState<string>('');
  const key = warnings.map((w) => `${w.code}:${w.message}`).join('|');
  if (warnings.length === 0 || dismissed === key) return null;
  return (
    <div className="banner banner-warning" role="alert" data-testid="warning-banner">
      <span className="banner-icon" aria-hidden>
        ⚠
      </span>
      <ul>
        {warnings.map((w) => (
          <li key={`${w.code}:${w.message}`}>
            <strong>{TITLES[w.code] ?? w.code}</strong> — {w.message}
          </li>
        ))}
      </ul>
      <button
        type="button"
        className="link-button"
        onClick={() => setDismissed(key)}
        aria-label="Dismiss warnings"
      >
        Dismiss
      </button>
    </div>
  );
}
