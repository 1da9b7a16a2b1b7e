import { pino, type Logger } from 'pino';

/** Structured JSON logs on stderr (stdout carries only the READY line). */
export function createLogger(level = 'info'): Logger {
  return pino({ level, base: { name: 'meshlens' } }, pino.destination(2));
}
