// The world the fuzzer calls in: real tokens, a connection, a disconnected one, pending and
// archived invitations, actions, and an organization nobody may ever see.
import { randomUUID } from 'node:crypto';
import type { TestApp } from '../support/app.js';
import { World, type Requester } from '../../conformance/world.js';

const DAY_MS = 24 * 60 * 60 * 1000;

type Created = { id?: string; invitation_token?: string };

/**
 * A host with a connected guest (one active action, one resolved), a guest that disconnected,
 * a stranger with no connection, and an outsider that never calls but whose id is known: its
 * name must never reach anyone. The host has pending invitations for the stranger (one by its
 * e-mail, for the tokenless path), two for anyone with the token, and an archived one.
 */
export async function buildWorld(t: TestApp, label: string): Promise<World> {
  const world = new World(t.request);
  const make = async (role: string, calls: boolean): Promise<Requester | undefined> => {
    const name = `${label} ${role} ${randomUUID().slice(0, 8)}`;
    const organization = await t.newOrganization({ name });
    return world.addOrganization(organization, name, calls ? role : undefined);
  };
  const [host, guest, former, stranger] = (await Promise.all([
    make('host', true),
    make('guest', true),
    make('former guest', true),
    make('stranger', true),
    make('outsider', false),
  ])) as [Requester, Requester, Requester, Requester, undefined];
  const hostId = host.organization.organization_id;
  const expiredAt = new Date(Date.now() + 30 * DAY_MS).toISOString();
  const invite = async (email: string) =>
    (await world.send(host, 'POST', '/guest-invitations', { email, expired_at: expiredAt })) as Created;

  for (const member of [guest, former]) {
    const invitation = await invite(`${member.role.replace(/ /g, '-')}@example.test`);
    await world.send(member, 'POST', '/host-connections', {
      host_organization_id: hostId,
      invitation_token: invitation.invitation_token,
    });
  }
  await world.send(former, 'PATCH', `/host-connections/${hostId}`, { status: 'disconnected' });
  const guestId = guest.organization.organization_id;
  await world.send(host, 'POST', `/guest-connections/${guestId}/actions`, { action_type: 'analytics_request' });
  const resolved = (await world.send(host, 'POST', `/guest-connections/${guestId}/actions`, {
    action_type: 'documents_update_request',
  })) as Created;
  await world.send(guest, 'POST', `/host-connections/${hostId}/actions/${resolved.id}/resolution`);
  await world.send(guest, 'GET', `/host-connections/${hostId}/actions`);

  const strangerEmail = (await world.send(
    stranger,
    'GET',
    `/organizations/${stranger.organization.organization_id}`,
  )) as { email: string };
  await invite(strangerEmail.email);
  await invite('anyone@example.test');
  await invite('someone@example.test');
  const archived = await invite('archived@example.test');
  await world.send(host, 'PATCH', `/guest-invitations/${archived.id}`, { archived: true });
  return world;
}
