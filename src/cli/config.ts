import { resolve } from 'node:path';
import { type EdgeSettings, parseTrustProxy } from '../api/edges';
import { openMigratedStore as openMigrated, type Store, type StoreOptions } from '../services/runtime';

/** Settings from the environment, each with a default that works on a laptop. */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  /** Public URL, operations access, sign-in limits: OPEN111_PUBLIC_URL, OPEN111_OPS_TOKEN, OPEN111_PUBLIC_OPS. */
  readonly edge: EdgeSettings;
  /** OPEN111_SESSION_IDLE_MINUTES: a session unused this long ends (default 30). */
  readonly sessionIdleMinutes: number | undefined;
  /**
   * OPEN111_RECEIVER_URL: deliver every kind of outbound message by HTTP POST to `<url>/<kind>` (one
   * receiving system for all, e.g. an integration engine or a test receiver) instead of the demo receivers.
   */
  readonly receiverUrl: string | undefined;
  /** OPEN111_PREPARED_STATEMENTS=off: send statements unnamed (behind a pooler that cannot keep them). */
  readonly preparedStatements: boolean;
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
    edge: {
      ...(env.OPEN111_PUBLIC_URL ? { publicUrl: env.OPEN111_PUBLIC_URL } : {}),
      ...(env.OPEN111_OPS_TOKEN ? { opsToken: env.OPEN111_OPS_TOKEN } : {}),
      publicOps: env.OPEN111_PUBLIC_OPS === '1',
      trustProxy: parseTrustProxy(env.OPEN111_TRUST_PROXY),
      ...maxQueueStreams(env.OPEN111_MAX_QUEUE_STREAMS),
    },
    receiverUrl: receiverUrl(env.OPEN111_RECEIVER_URL),
    sessionIdleMinutes: idleMinutes(env.OPEN111_SESSION_IDLE_MINUTES),
    preparedStatements: env.OPEN111_PREPARED_STATEMENTS !== 'off',
  };
}

function receiverUrl(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol))
    throw new Error(`OPEN111_RECEIVER_URL must be an http(s) URL, not "${value}".`);
  return value.replace(/\/+$/, '');
}

function maxQueueStreams(value: string | undefined): { maxQueueStreams?: number } {
  if (value === undefined || value === '') return {};
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(
      `OPEN111_MAX_QUEUE_STREAMS must be a whole number of streams (1 or more), not "${value}".`,
    );
  return { maxQueueStreams: n };
}

function idleMinutes(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const minutes = Number(value);
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 24 * 60)
    throw new Error(
      `OPEN111_SESSION_IDLE_MINUTES must be a whole number of minutes (1–1440), not "${value}".`,
    );
  return minutes;
}

export function storeOptions(config: Config): StoreOptions {
  return config.databaseUrl
    ? { databaseUrl: config.databaseUrl, preparedStatements: config.preparedStatements }
    : { dataDir: config.dataDir };
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
