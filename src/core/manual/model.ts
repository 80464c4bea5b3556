/** One flag of a command, as the manual shows it. */
export interface ManFlag {
  name: string;
  char?: string;
  description: string;
  /** Placeholder for an option's value; absent for boolean flags. */
  valueName?: string;
  options?: readonly string[];
  defaultValue?: string;
  env?: string;
}

/** One positional argument of a command. */
export interface ManArg {
  name: string;
  description: string;
  required: boolean;
}

/** Everything a command's manual page is built from. */
export interface ManCommand {
  /** oclif id with spaces, e.g. `sandbox exec`. */
  id: string;
  summary: string;
  description: string;
  flags: ManFlag[];
  args: ManArg[];
  examples: string[];
  /** Exit code -> meaning. */
  exitCodes: Record<string, string>;
  /** Variable -> meaning. */
  environment: Record<string, string>;
  /** Path -> meaning. */
  files: Record<string, string>;
}

/** Program-level facts for the pages' headers. */
export interface ManProgram {
  name: string;
  version: string;
  summary: string;
  description: string;
}
