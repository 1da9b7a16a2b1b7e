import { z } from 'zod';

/**
 * The app's entry. The console's Content-Security-Policy allows no eval; zod compiles its object parsers
 * with `new Function` when it may, and probes for it as soon as a schema is built (a caught error, which
 * the browser still reports as a CSP violation). With `jitless` it does neither, so it is set here,
 * before the app (and every schema of @meshlens/contract) is loaded.
 */
z.config({ jitless: true });
void import('./main');
