import { join } from 'node:path';

/** Paths of one conversation on the host. */
export interface ConversationLayout {
  /** `conversations/<id>/`: also the execution context dir of its tasks. */
  dir: string;
  /** Host-only metadata; never mounted into a container. */
  metadataFile: string;
  /** Append-only stream-json log, one blank line between runs. */
  eventsFile: string;
  /** The proxy's request log. */
  networkLogFile: string;
  /** The git clone, mounted at `/workspace`. */
  workspace: string;
  /**
   * Written once the workspace was completely created (cloned, remote set,
   * checked out, renamed into place). Outside every mount, so a task cannot
   * touch it; a workspace without it is made again.
   */
  workspaceMarker: string;
  /** Claude Code's home, mounted at `/root/.claude` by the task. */
  claude: string;
  /** Files the user sent, mounted at `/inbox`. */
  inbox: string;
  /** Files for the user, mounted at `/outbox`; emptied after each delivered reply. */
  outbox: string;
  /** Scratch space kept across runs, mounted at `/storage`. */
  storage: string;
}

/** Where the conversations of a repo live: `<repoStateDir>/conversations`. */
export function conversationsDir(repoStateDir: string): string {
  return join(repoStateDir, 'conversations');
}

/** The layout of conversation `id` under a repo's state directory. */
export function conversationLayout(repoStateDir: string, id: string): ConversationLayout {
  const dir = join(conversationsDir(repoStateDir), id);
  return {
    dir,
    metadataFile: join(dir, 'conversation.json'),
    eventsFile: join(dir, 'events.jsonl'),
    networkLogFile: join(dir, 'network-sandbox.log'),
    workspace: join(dir, 'workspace'),
    workspaceMarker: join(dir, 'workspace.complete'),
    claude: join(dir, 'claude'),
    inbox: join(dir, 'inbox'),
    outbox: join(dir, 'outbox'),
    storage: join(dir, 'storage'),
  };
}
