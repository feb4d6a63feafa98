import { createGuestInvitation, getGuestInvitation, updateGuestInvitation } from '../../domain/guest-invitations.js';
import { listInvitations } from '../../store/invitations.js';
import { asHost } from '../../store/pair.js';
import { locationOf } from '../location.js';
import type { OperationHandlers } from '../operation-types.js';

export const guestInvitationHandlers = {
  async createGuestInvitation({ body }, { store, requester }) {
    const invitation = await createGuestInvitation(store.db, asHost(requester.organizationId), body);
    return {
      status: 201,
      body: invitation,
      headers: { Location: locationOf('getGuestInvitation', { invitation_id: invitation.id }) },
    };
  },
  async listGuestInvitations({ query }, { store, requester }) {
    return { status: 200, body: await listInvitations(store.db, asHost(requester.organizationId), query, new Date()) };
  },
  async getGuestInvitation({ path }, { store, requester }) {
    return {
      status: 200,
      body: await getGuestInvitation(store.db, asHost(requester.organizationId), path.invitation_id),
    };
  },
  async updateGuestInvitation({ path, body }, { store, requester }) {
    return {
      status: 200,
      body: await updateGuestInvitation(store.db, asHost(requester.organizationId), path.invitation_id, body),
    };
  },
} satisfies Pick<
  OperationHandlers,
  'createGuestInvitation' | 'listGuestInvitations' | 'getGuestInvitation' | 'updateGuestInvitation'
>;
