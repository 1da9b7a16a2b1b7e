import { buildCommand, configFromFlags } from './config';
import { createLogger } from './logger';
import { startServer } from './server';

const command = buildCommand();
command.parse(process.argv);
try {
  const config = await configFromFlags(command.opts());
  const logger = createLogger(config.logLevel);
  const server = await startServer({ config, logger });
  process.stdout.write(`READY ${server.url}\n`);
  const stop = (signal: string) => {
    logger.info({ signal }, 'stopping');
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
} catch (err) {
  process.stderr.write(`meshlens: ${(err as Error).message}\n`);
  process.exit(2);
}
