import { randomBytes } from 'node:crypto';

const ID = /^[0-9a-f]{8}$/;

/** A fresh conversation id: 8 lowercase hex characters from the CSPRNG. */
export function newConversationId(): string {
  return randomBytes(4).toString('hex');
}

/** True for a well-formed conversation id; anything else is never used as a path. */
export function isConversationId(value: string): boolean {
  return ID.test(value);
}
