import {
  createGuestInvitation,
  getGuestInvitation,
  listGuestInvitations,
  updateGuestInvitation,
} from '../../domain/guest-invitations.js';
import { asHost } from '../../store/pair.js';
import { locationOf } from '../location.js';
import type { OperationHandlers } from '../operation-types.js';

export const guestInvitationHandlers = {
  async createGuestInvitation({ body }, { store, caller }) {
    const invitation = await createGuestInvitation(store.db, asHost(caller.organizationId), body);
    return {
      status: 201,
      body: invitation,
      headers: { Location: locationOf('getGuestInvitation', { invitation_id: invitation.id }) },
    };
  },
  async listGuestInvitations({ query }, { store, caller }) {
    return { status: 200, body: await listGuestInvitations(store.db, asHost(caller.organizationId), query) };
  },
  async getGuestInvitation({ path }, { store, caller }) {
    return { status: 200, body: await getGuestInvitation(store.db, asHost(caller.organizationId), path.invitation_id) };
  },
  async updateGuestInvitation({ path, body }, { store, caller }) {
    return {
      status: 200,
      body: await updateGuestInvitation(store.db, asHost(caller.organizationId), path.invitation_id, body),
    };
  },
} satisfies Pick<
  OperationHandlers,
  'createGuestInvitation' | 'listGuestInvitations' | 'getGuestInvitation' | 'updateGuestInvitation'
>;
