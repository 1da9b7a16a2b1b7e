import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useLocation } from 'wouter';
import { authKeys, signOut, useAuthInfo } from './auth';
import './signin.css';

const time = (iso: string) =>
  new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });

/**
 * The masthead's "who am I": with `anonymous`, plainly that everyone acts as the console's own identity
 * (and which); otherwise the signed-in user, the session's end and Sign out.
 */
export function WhoAmI() {
  const info = useAuthInfo();
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const logout = useMutation({
    mutationFn: () => signOut(),
    onSuccess: async (answer) => {
      queryClient.clear();
      if (answer.logoutUrl) {
        window.location.assign(answer.logoutUrl);
        return;
      }
      await queryClient.invalidateQueries({ queryKey: authKeys.info() });
      navigate('/signin', { replace: true });
    },
    onError: () => queryClient.invalidateQueries({ queryKey: authKeys.info() }),
  });
  const me = info.data;
  if (!me?.authenticated || !me.identity) return null;
  const out = () => logout.mutate();

  const groups = me.identity.groups.filter((g) => g !== 'system:authenticated');
  return (
    <div className="whoami" data-testid="whoami">
      {me.viewOnly && (
        <span
          className="whoami-viewonly"
          title="The console refuses every change; no write control is shown."
        >
          View-only
        </span>
      )}
      {me.strategy === 'anonymous' ? (
        <span
          className="whoami-anonymous"
          role="status"
          data-testid="anonymous-banner"
          title="No sign-in (auth.strategy anonymous): every visitor of this console uses the console's own Kubernetes identity and its rights."
        >
          <span aria-hidden>⚠</span>
          No sign-in: everyone here acts as the console&apos;s identity <code>{me.identity.username}</code>
        </span>
      ) : (
        <>
          <span
            className="whoami-user"
            title={`Signed in as ${me.identity.username}${groups.length ? `\nGroups: ${groups.join(', ')}` : ''}`}
          >
            <span aria-hidden>●</span> Signed in as{' '}
            <strong data-testid="whoami-user">{me.identity.username}</strong>
          </span>
          {me.sessionExpiresAt && (
            <span className="whoami-expiry small" title={new Date(me.sessionExpiresAt).toLocaleString()}>
              until {time(me.sessionExpiresAt)}
            </span>
          )}
          {me.canSignOut && (
            <button type="button" className="masthead-button" onClick={out}>
              Sign out
            </button>
          )}
        </>
      )}
    </div>
  );
}
