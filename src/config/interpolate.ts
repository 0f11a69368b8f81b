import { usageError } from '../errors';

/**
 * Replaces ${VAR} and ${VAR:-default} from the environment. An unset variable
 * without a default is an error: a silently empty connection string would
 * point the tool at the wrong place.
 */
export function interpolateEnv(text: string, env: NodeJS.ProcessEnv, where: string): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_m, name: string, fallback?: string) => {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
    if (fallback !== undefined) return fallback;
    throw usageError(
      'CONFIG_ENV_UNSET',
      `${where} uses \${${name}}, but the environment variable ${name} is not set`,
      `export ${name}=… or write \${${name}:-default} in the config`,
    );
  });
}
