import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Redirect, useLocation, useSearch } from 'wouter';
import { AUTH_ROUTES } from '@meshlens/contract';
import { ApiError, basePath } from '../api/client';
import { authKeys, signIn, useAuthInfo } from './auth';
import { useTheme } from './theme';
import '../wizards/wizards.css';
import './signin.css';

/** `next` of the sign-in URL when it is a path of this app (never another site). */
export function nextPath(search: string): string {
  const next = new URLSearchParams(search).get('next') ?? '';
  return next.startsWith('/') && !next.startsWith('//') && !next.includes('\\') && !next.startsWith('/signin')
    ? next
    : '/graph';
}

/** Where a page sends the user to sign in, and back to it afterwards. */
export function signInHref(location: string, search: string): string {
  const here = `${location}${search ? `?${search.replace(/^\?/, '')}` : ''}`;
  return `/signin?next=${encodeURIComponent(here)}`;
}

function messageOf(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 0)
      return 'The console server did not answer. Check that it is running, then try again.';
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

/**
 * The sign-in page: a centred card; a token to paste (strategy token), the provider to sign in with
 * (openid: a plain link to the server's login route, which comes back to `next`), or what the proxy must do
 * (header).
 */
export function SignInPage() {
  const info = useAuthInfo();
  const search = useSearch();
  const [, navigate] = useLocation();
  const queryClient = useQueryClient();
  const [token, setToken] = useState('');
  const [formError, setError] = useState<string | null>(null);
  const login = useMutation({
    mutationFn: (t: string) => signIn(t),
    onSuccess: (me) => {
      // Nothing another user's session read may show now.
      queryClient.clear();
      queryClient.setQueryData(authKeys.info(), me);
      navigate(next, { replace: true });
    },
  });
  const busy = login.isPending;
  const error = formError ?? (login.error ? messageOf(login.error) : null);
  const next = nextPath(search);
  useTheme(); // the page in the theme the user chose, as every other page

  if (info.data?.authenticated) return <Redirect to={next} replace />;

  const submit = () => {
    setError(null);
    if (!token.trim()) {
      login.reset();
      setError('Paste a token first.');
      return;
    }
    login.mutate(token.trim());
  };

  const strategy = info.data?.strategy;
  const notice = info.data?.message && !/^Sign in with/.test(info.data.message) ? info.data.message : null;
  return (
    <div className="signin-page">
      <main className="signin-card" aria-labelledby="signin-title">
        <div className="signin-brand">
          <span className="brand-mark" aria-hidden>
            ◈
          </span>
          meshlens
        </div>
        <h1 id="signin-title">Sign in</h1>
        {info.isPending && <p className="muted">Loading…</p>}
        {info.error && (
          <p className="signin-error" role="alert">
            {messageOf(info.error)}
          </p>
        )}
        {notice && (
          <p className="signin-notice" role="status" data-testid="signin-notice">
            {notice}
          </p>
        )}
        {strategy === 'token' && (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              submit();
            }}
          >
            <p className="signin-lead">
              Paste a Kubernetes bearer token. The console then acts with your own rights: the cluster&apos;s
              RBAC decides what you see and what you may change.
            </p>
            <label htmlFor="signin-token" className="signin-label">
              Token
            </label>
            <textarea
              id="signin-token"
              className="signin-token"
              rows={5}
              spellCheck={false}
              autoComplete="off"
              autoFocus
              placeholder="eyJhbGciOiJSUzI1NiIsImtpZCI6…"
              value={token}
              onChange={(e) => setToken(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) submit();
              }}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? 'signin-error' : 'signin-hint'}
            />
            <p id="signin-hint" className="signin-hint">
              For a ServiceAccount: <code>kubectl create token NAME -n NAMESPACE</code>
            </p>
            {error && (
              <p id="signin-error" className="signin-error" role="alert" data-testid="signin-error">
                {error}
              </p>
            )}
            <button type="submit" className="btn btn-primary signin-submit" disabled={busy}>
              {busy ? 'Checking the token…' : 'Sign in'}
            </button>
            <p className="signin-foot">
              The token is checked with the API server and kept only in an encrypted, HttpOnly cookie of this
              console until you sign out or the session ends.
            </p>
          </form>
        )}
        {strategy === 'header' && (
          <p className="signin-lead">
            This console signs people in through the authenticating proxy in front of it. Open the console
            through that proxy; it passes who you are with each request.
          </p>
        )}
        {strategy === 'openid' && (
          <>
            <p className="signin-lead">
              Sign in at {info.data?.provider ?? 'your identity provider'}. The console then acts with your
              own rights: the cluster&apos;s RBAC decides what you see and what you may change.
            </p>
            <a
              className="btn btn-primary signin-submit signin-provider"
              href={`${basePath()}${AUTH_ROUTES.openidLogin}?next=${encodeURIComponent(next)}`}
              data-testid="signin-openid"
            >
              Sign in with {info.data?.provider ?? 'OpenID Connect'}
            </a>
            <p className="signin-foot">
              Your ID token is checked with the API server and kept only in an encrypted, HttpOnly cookie of
              this console until you sign out or it expires.
            </p>
          </>
        )}
      </main>
    </div>
  );
}
