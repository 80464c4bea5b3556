import type { CredentialScope } from './sigv4-signature.js';

/** `DATE/REGION/SERVICE/aws4_request` taken apart; undefined for anything else. */
export function parseScope(scope: string): CredentialScope | undefined {
  const parts = scope.split('/');
  if (parts.length !== 4 || parts[3] !== 'aws4_request' || !/^\d{8}$/.test(parts[0] as string) || parts[1] === '' || parts[2] === '') return undefined;
  return { date: parts[0] as string, region: parts[1] as string, service: parts[2] as string };
}

/** A SigV4A scope, `DATE/SERVICE/aws4_request` (no region: the region set is a signed header). */
export function parseScopeV4a(scope: string): { date: string; service: string } | undefined {
  const parts = scope.split('/');
  if (parts.length !== 3 || parts[2] !== 'aws4_request' || !/^\d{8}$/.test(parts[0] as string) || parts[1] === '') return undefined;
  return { date: parts[0] as string, service: parts[1] as string };
}
