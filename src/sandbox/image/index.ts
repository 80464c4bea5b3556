export { ImageCache } from './image-cache.js';
export type { ImageCacheOptions, EnsureImageOptions, BuildStart, BuildReason } from './image-cache.js';
export { ImageBuildError } from './error.js';
export type { ContextFiles } from './context-files.js';
export { assertFlatContextNames } from './context-files.js';
export { imageContentHash } from './content-hash.js';
export { entrypointScript, overlayDockerfile, CLAUDE_BINARY_CONTAINER_PATH, AIRUT_CA_CONTAINER_PATH, ENTRYPOINT_FILE_NAME } from './entrypoint.js';
export type { EntrypointMode } from './entrypoint.js';
export { parseImageCreated } from './image-created.js';
