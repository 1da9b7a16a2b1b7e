import type { Page } from '@playwright/test';

/** The timeouts of the reviews VirtualService's http routes, read by the signed-in page through the console. */
export function reviewsTimeouts(page: Page, namespace: string): Promise<(string | undefined)[]> {
  return page.evaluate(async (ns) => {
    const res = await fetch(`api/namespaces/${ns}/istio/virtualservices/reviews`);
    const { object } = (await res.json()) as { object: { spec: { http: { timeout?: string }[] } } };
    return object.spec.http.map((h) => h.timeout);
  }, namespace);
}

/**
 * The signed-in page creates a VirtualService in namespace `default` through the console, as a script
 * would (with the session's CSRF token when `csrf`): its status and error.
 */
export function writeInDefault(
  page: Page,
  options: { csrf: boolean },
): Promise<{ status: number; body: { error: { message: string } } }> {
  return page.evaluate(async (csrf) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (csrf) {
      const info = (await (await fetch('api/auth/info')).json()) as { csrfToken: string };
      headers['X-CSRF-Token'] = info.csrfToken;
    }
    const res = await fetch('api/namespaces/default/istio/virtualservices', {
      method: 'POST',
      headers,
      body: JSON.stringify({
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: 'not-mine', namespace: 'default' },
        spec: { hosts: ['x'], http: [{ route: [{ destination: { host: 'x' } }] }] },
      }),
    });
    return { status: res.status, body: (await res.json()) as { error: { message: string } } };
  }, options.csrf);
}
