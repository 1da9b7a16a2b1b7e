/** CLI: npx demo-cluster --port P --host H --kubeconfig-out FILE [--load FILE...] [--state FILE] */
import { Command, InvalidArgumentError } from 'commander';
import { startDemoCluster } from './server';

const program = new Command()
  .name('demo-cluster')
  .description(
    'A Kubernetes API emulator over HTTP (meshlens demo): discovery, CRUD, watch, Istio CRDs, controllers.',
  )
  .option(
    '-p, --port <port>',
    'port to listen on (0 picks a free one)',
    (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 65535)
        throw new InvalidArgumentError('must be an integer 0-65535');
      return n;
    },
    0,
  )
  .option('-H, --host <host>', 'address to bind', '127.0.0.1')
  .option('-k, --kubeconfig-out <file>', 'write a kubeconfig pointing at the emulator to this file')
  .option('-l, --load <files...>', 'manifests (multi-document YAML) to apply at start')
  .option('-s, --state <file>', 'JSON state file: loaded at start if present, saved on shutdown')
  .option('--no-istio-crds', 'do not install the Istio CRDs at start')
  .option('-v, --verbose', 'log every request to stderr', false)
  .parse();

const opts = program.opts<{
  port: number;
  host: string;
  kubeconfigOut?: string;
  load?: string[];
  state?: string;
  istioCrds: boolean;
  verbose: boolean;
}>();

try {
  const dc = await startDemoCluster({
    port: opts.port,
    host: opts.host,
    istioCrds: opts.istioCrds,
    ...(opts.load ? { load: opts.load } : {}),
    ...(opts.state ? { stateFile: opts.state } : {}),
    ...(opts.verbose ? { log: (line: string) => process.stderr.write(`${line}\n`) } : {}),
  });
  if (opts.kubeconfigOut) {
    await dc.writeKubeconfig(opts.kubeconfigOut);
    process.stderr.write(`demo-cluster: kubeconfig written to ${opts.kubeconfigOut}\n`);
  }
  process.stdout.write(`READY ${dc.url}\n`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`demo-cluster: ${signal}, shutting down\n`);
    dc.close().then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`demo-cluster: error on shutdown: ${String(e)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
} catch (e) {
  process.stderr.write(`demo-cluster: ${(e as Error).message}\n`);
  process.exit(1);
}
