import { describe, expect, it } from 'vitest';
import { nextPath, signInHref } from './SignInPage';

describe('sign-in URL', () => {
  it('comes back to the page the user was on, query included', () => {
    const href = signInHref('/istio/bookinfo/virtualservices/reviews', '?namespaces=bookinfo');
    expect(href).toBe('/signin?next=%2Fistio%2Fbookinfo%2Fvirtualservices%2Freviews%3Fnamespaces%3Dbookinfo');
    expect(nextPath(href.split('?')[1] ?? '')).toBe(
      '/istio/bookinfo/virtualservices/reviews?namespaces=bookinfo',
    );
    expect(nextPath(signInHref('/graph', ''))).toBe('/graph');
  });

  it('never sends the user to another site or back to the sign-in page', () => {
    expect(nextPath('next=https%3A%2F%2Fevil.example%2F')).toBe('/graph');
    expect(nextPath('next=%2F%2Fevil.example%2Fx')).toBe('/graph');
    expect(nextPath('next=%2Fsignin%3Fnext%3D%2Fgraph')).toBe('/graph');
    expect(nextPath('')).toBe('/graph');
  });
});
