import { describe, expect, it } from 'vitest';
import type { VectorSample } from '../prometheus/client';
import { splitRates } from './rates';

const sample = (metric: Record<string, string>, v: number): VectorSample => ({
  metric,
  value: [0, String(v)],
});
const into = (svc: string, protocol: 'http' | 'grpc', code: string) => ({
  reporter: 'source',
  destination_service_namespace: 'shop',
  destination_service_name: svc,
  destination_workload_namespace: 'shop',
  destination_workload: `${svc}-v1`,
  destination_canonical_service: svc,
  request_protocol: protocol,
  ...(protocol === 'grpc' ? { grpc_response_status: code } : { response_code: code }),
});

describe('splitRates', () => {
  it("keeps each entity's rates per direction and protocol apart", () => {
    const r = splitRates(
      [
        sample(into('cart', 'http', '200'), 3),
        sample(into('cart', 'http', '503'), 1),
        sample(into('pay', 'grpc', '14'), 2),
      ],
      [
        sample(
          {
            source_workload_namespace: 'shop',
            source_workload: 'cart-v1',
            source_canonical_service: 'cart',
            request_protocol: 'grpc',
            grpc_response_status: '0',
          },
          2,
        ),
      ],
      [],
    );
    const cart = r.services.get('shop/cart')!;
    const pay = r.services.get('shop/pay')!;
    expect([...cart.inbound.http]).toEqual([
      ['200', 3],
      ['503', 1],
    ]);
    expect([...pay.inbound.grpc]).toEqual([['14', 2]]);
    // nothing written where nothing was reported, and no map shared between entities or directions
    expect(cart.inbound.grpc.size).toBe(0);
    expect(pay.inbound.http.size).toBe(0);
    expect(cart.outbound.http.size).toBe(0);
    expect([...r.workloads.get('shop/cart-v1')!.outbound.grpc]).toEqual([['0', 2]]);
    expect([...r.apps.get('shop/cart')!.outbound.grpc]).toEqual([['0', 2]]);
    expect(r.workloads.get('shop/cart-v1')!.inbound.grpc.size).toBe(0);
    expect(r.apps.get('shop/pay')!.outbound.http.size).toBe(0);
  });
});
