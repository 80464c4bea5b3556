import type { BudgetExceeded } from '../claude/stream/outcome.js';

/**
 * What a network sandbox hands a task for one run: extra `podman run`
 * arguments (network, DNS, sysctls, CA mount), extra container environment,
 * and a release that tears its resources down.
 */
export interface NetworkAttachment {
  /** Arguments placed before the image, e.g. `['--network', 'x', '--dns', '10.0.0.2']`. */
  containerArgs: string[];
  /** Environment variables for the task container. */
  env: Record<string, string>;
  /** Frees what {@link NetworkProvider.attach} set up. Called exactly once, on every path. */
  release(): Promise<void>;
  /**
   * Resolves, with a reason a user can read, if the network stops working
   * while the task runs (its proxy died, or stopped answering DNS). The task
   * then ends at once with outcome `proxy_failed`: without its proxy it would
   * only wait for timeouts. Never rejects; stays pending while all is well.
   */
  failed?: Promise<string>;
  /**
   * The first spending cap the proxy refused a request for, if any; read
   * after {@link release}, when every line of the proxy has arrived.
   */
  budgetExceeded?: () => BudgetExceeded | undefined;
}

/**
 * Provides the network of a task's container. The network sandbox implements
 * it; a task calls `attach` before starting its container and the returned
 * `release` after the container is gone, whether the run succeeded, failed,
 * timed out or was stopped.
 */
export interface NetworkProvider {
  attach(executionContextId: string, executionContextDir: string): Promise<NetworkAttachment>;
}

/** A task's network: a named engine network (`none`, a test network) or a provider. */
export type TaskNetwork = string | NetworkProvider;
