import { resolve } from 'node:path';
import { openMigratedStore as openMigrated, type Store, type StoreOptions } from '../services/runtime';

/** Settings from the environment, each with a default that works on a laptop. */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 8111);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number, not "${env.PORT}".`);
  return {
    port,
    host: env.HOST ?? '127.0.0.1',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: resolve(env.OPEN111_DATA_DIR ?? 'data'),
  };
}

export function storeOptions(config: Config): StoreOptions {
  return config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir };
}

/** Opens the configured store and brings its schema up to date. */
export function openMigratedStore(config: Config): Promise<Store> {
  return openMigrated(storeOptions(config));
}

export function describeStore(config: Config): string {
  return config.databaseUrl
    ? `PostgreSQL at ${config.databaseUrl.replace(/\/\/[^@/]*@/, '//***@')}`
    : `embedded PGlite in ${config.dataDir}`;
}
