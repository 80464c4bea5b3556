/** AWS credentials as the SDK takes them. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** A request as it crossed the wire. */
export interface WireRequest {
  method: string;
  host: string;
  /** Path and optional `?query`, as sent. */
  target: string;
  /** Node's flat raw header list. */
  rawHeaders: readonly string[];
  body?: Uint8Array | string;
}

/** What an AWS SDK (smithy's signer) sends as Authorization for `request`, signing `signedHeaders`. */
export function signWire(
  request: WireRequest & { signedHeaders: readonly string[] },
  options: { credentials: AwsCredentials; region: string; service: string; date: Date },
): Promise<string>;

/** A presigned URL (target with query) as S3's presigner makes it: UNSIGNED-PAYLOAD, `host` signed. */
export function presignWire(
  request: { method: string; host: string; target: string },
  options: { credentials: AwsCredentials; region: string; service: string; date: Date; expiresIn: number },
): Promise<string>;

/** Recomputes the request's signature with the real credentials (smithy's signer). */
export function verifyWire(request: WireRequest, credentials: AwsCredentials): Promise<{ ok: true; region: string; service: string } | { ok: false; reason: string }>;
