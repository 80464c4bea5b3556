export { AirutCommand } from './airut-command.js';
export {
  sandboxRunFlags,
  claudeRunFlags,
  toRunFlags,
  runEnvironment,
  type RunFlagWording,
  type SandboxRunFlagsInput,
  type LiveSandboxRunFlagsInput,
  type ParsedRunFlags,
} from './run-flags.js';
export { describeCauses, failureDetail, type FailureDetail } from './cause-chain.js';
