import { useEffect, useState } from 'react';
import type { WizardRequest } from './usePreview';
import { Field } from './fields';

/**
 * Expose the service through an existing Gateway, or a new one. Opens with values the server accepts: a new
 * gateway for any host (`*`), the mesh's own routing kept (the service then answers at the gateway at its
 * own name: `*` in its routing would capture the mesh's traffic to every service).
 */
export function GatewayForm({
  namespace,
  service,
  onChange,
}: {
  namespace: string;
  service: string;
  onChange: (r: WizardRequest) => void;
}) {
  const [mode, setMode] = useState<'create' | 'attach'>('create');
  const [gwNs, setGwNs] = useState(namespace);
  const [gwName, setGwName] = useState('bookinfo-gateway');
  const [port, setPort] = useState('80');
  const [hosts, setHosts] = useState('*');
  const [includeMesh, setIncludeMesh] = useState(true);
  const hostList = hosts
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  const wildcard = mode === 'attach' || hostList.length === 0 || hostList.includes('*');
  useEffect(() => {
    const hostList = hosts
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean);
    onChange({
      intent: {
        gateway:
          mode === 'attach'
            ? { attach: { namespace: gwNs, name: gwName }, includeMesh }
            : { create: { port: Number(port), hosts: hostList.length ? hostList : ['*'] }, includeMesh },
      },
    });
  }, [mode, gwNs, gwName, port, hosts, includeMesh, onChange]);
  return (
    <fieldset className="wz-fieldset">
      <legend>Gateway</legend>
      <div className="wz-row" role="radiogroup" aria-label="Gateway mode">
        <label className="wz-check">
          <input type="radio" name="gw-mode" checked={mode === 'create'} onChange={() => setMode('create')} />{' '}
          Create a gateway
        </label>
        <label className="wz-check">
          <input type="radio" name="gw-mode" checked={mode === 'attach'} onChange={() => setMode('attach')} />{' '}
          Attach an existing gateway
        </label>
      </div>
      {mode === 'attach' ? (
        <div className="wz-row">
          <Field label="Gateway namespace">
            <input value={gwNs} onChange={(e) => setGwNs(e.target.value)} />
          </Field>
          <Field label="Gateway name">
            <input value={gwName} onChange={(e) => setGwName(e.target.value)} />
          </Field>
        </div>
      ) : (
        <div className="wz-row">
          <Field label="Port">
            <input type="number" min={1} max={65535} value={port} onChange={(e) => setPort(e.target.value)} />
          </Field>
          <Field label="Hosts" hint="comma separated">
            <input value={hosts} onChange={(e) => setHosts(e.target.value)} />
          </Field>
        </div>
      )}
      <label className="wz-check">
        <input type="checkbox" checked={includeMesh} onChange={(e) => setIncludeMesh(e.target.checked)} />{' '}
        Keep routing the mesh&apos;s own traffic
      </label>
      {includeMesh && wildcard && (
        <p className="muted small" data-testid="gateway-hosts-note">
          {mode === 'attach' ? 'If the gateway accepts any host (*), ' : 'The gateway accepts any host (*); '}
          {service} answers there at its own name (Host: {service}.{namespace}.svc.cluster.local), since * in
          its routing would also catch the mesh&apos;s traffic to every other service. Name hosts (e.g.{' '}
          {service}.example.com) to answer them too.
        </p>
      )}
    </fieldset>
  );
}
