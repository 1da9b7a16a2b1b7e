// Setup file of the `unit` Vitest project: a unit test that opens a listening socket (an HTTP server,
// supertest, a demo component) fails at once, naming the fix. Such a test belongs in a file named
// `*.integration.test.ts`, which `npm run test:integration` runs.
import { Server } from 'node:net';

Server.prototype.listen = function listen(): never {
  throw new Error(
    'A unit test may not listen on a port: name the file *.integration.test.ts (npm run test:integration).',
  );
};
