// The one UUID pattern of the tests and the conformance command: the contract's (components.schemas.Uuid), which request
// validation and the store check ids with too.
import { schemas } from '../generated/operations.js';

/** A whole string that is a uuid. */
export const UUID = new RegExp(schemas.Uuid.pattern);

/** Every uuid in a text (for masking ids out of messages). */
export const UUIDS = new RegExp(schemas.Uuid.pattern.replace(/^\^|\$$/g, ''), 'g');
