/** A host path bind-mounted into a task container. */
export interface Mount {
  /** Absolute path on the host. */
  hostPath: string;
  /** Absolute path in the container. */
  containerPath: string;
  /** Mount read-only (default: read-write). */
  readOnly?: boolean;
}
