import { McpOAuthError } from '@org/mcp-oauth-core';

/** One problem found in the environment. Names the variable; never contains its value. */
export interface ConfigProblem {
  /** Environment variable, e.g. `ADMIN_TOKEN`. */
  variable: string;
  message: string;
}

/** Codes of {@link ServerConfigError}. */
export type ServerConfigErrorCode = 'SERVER_CONFIG_INVALID';

/**
 * The environment does not describe a startable server. Lists every problem at once so an operator fixes them
 * in one go. Messages name variables, never values.
 */
export class ServerConfigError extends McpOAuthError<ServerConfigErrorCode> {
  /** Every problem found, in a stable order. */
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const lines = problems.map((problem) => `  - ${problem.variable} ${problem.message}`);
    const count = `${problems.length} problem${problems.length === 1 ? '' : 's'}`;
    super('SERVER_CONFIG_INVALID', `Invalid configuration (${count}):\n${lines.join('\n')}`);
    this.problems = problems;
  }
}

/** Codes of {@link DevSecretsError}. */
export type DevSecretsErrorCode = 'DEV_SECRET_INVALID';

/** A generated dev secret file exists but cannot be used. Names the file, never its content. */
export class DevSecretsError extends McpOAuthError<DevSecretsErrorCode> {
  /** The offending file. */
  readonly file: string;

  constructor(file: string, message: string) {
    super('DEV_SECRET_INVALID', `${file}: ${message}`);
    this.file = file;
  }
}
