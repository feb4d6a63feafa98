// The page: the guest's host connections, and a form to accept a host's invitation. Accepting
// refreshes the list by itself: the mutation invalidates the connection reads it can change.
import { useState, type FormEvent } from 'react';
import type { ConnectionsHooks } from '../../client/react/index.js';

export function App({ hooks }: { hooks: ConnectionsHooks }) {
  const hosts = hooks.useQuery('get', '/host-connections', { params: { query: { statuses: ['connected'] } } });
  const accept = hooks.useMutation('post', '/host-connections');
  const [hostId, setHostId] = useState('');
  const [invitationToken, setInvitationToken] = useState('');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    accept.mutate({ body: { host_organization_id: hostId.trim(), invitation_token: invitationToken.trim() } });
  };

  return (
    <main>
      <h1>Your hosts</h1>
      {hosts.isPending ? (
        <p>Loading…</p>
      ) : hosts.isError ? (
        <p role="alert">{hosts.error.detail}</p>
      ) : hosts.data.items.length === 0 ? (
        <p>No host connections yet.</p>
      ) : (
        <ul aria-label="Host connections">
          {hosts.data.items.map((host) => (
            <li key={host.host_organization_id}>
              {host.host_name} &lt;{host.host_email}&gt;
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={submit} aria-label="Accept an invitation">
        <h2>Accept an invitation</h2>
        <label>
          Host organization id <input value={hostId} onChange={(event) => setHostId(event.target.value)} />
        </label>
        <label>
          Invitation token <input value={invitationToken} onChange={(event) => setInvitationToken(event.target.value)} />
        </label>
        <button type="submit" disabled={accept.isPending}>
          Accept
        </button>
      </form>
      {accept.isError && <p role="alert">{accept.error.detail}</p>}
      {accept.isSuccess && <p role="status">Connected to {accept.data.host_name}.</p>}
    </main>
  );
}
