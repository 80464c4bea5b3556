/**
 * Airut's sandbox: run Claude Code (or any command) in a throw-away container and
 * get a typed result. This module is the library's public API (`airut/sandbox`).
 */
export { AirutError, isAirutError } from './error.js';
