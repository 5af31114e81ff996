import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { createServiceContext, type ServiceContext } from '../services/context';
import { systemCaller } from '../services/use-case';
import { addUser, disableUser, listUsers, resetPassword, type User } from '../services/users';
import { openMigratedStore, readConfig } from './config';

/**
 * The first line of standard input: a password typed at the terminal (it is not hidden) or piped in,
 * so it never appears in the process list or the shell's history.
 */
async function passwordFromStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('password: ');
  const lines = createInterface({ input: process.stdin, terminal: false });
  try {
    for await (const line of lines) return line;
    return '';
  } finally {
    lines.close();
  }
}

async function withContext(work: (ctx: ServiceContext) => Promise<string[]>): Promise<void> {
  const store = await openMigratedStore(readConfig());
  try {
    for (const line of await work(createServiceContext(store))) console.log(line);
  } finally {
    await store.close();
  }
}

const describeUser = (u: User): string =>
  [
    u.username.padEnd(16),
    u.role.padEnd(15),
    u.organisationCode.padEnd(10),
    u.displayName,
    u.disabledAt ? `  (disabled ${u.disabledAt.toISOString()})` : '',
    u.demo ? '  (demo log-in)' : '',
  ].join(' ');

/** `open111 users …`: the same administration as /api/admin/users, by an operator at the machine. */
export function registerUserCommands(program: Command): void {
  const users = program.command('users').description('add, list and disable members of staff');
  users
    .command('add <username>')
    .description('add a member of staff; the password is read from standard input')
    .requiredOption('--role <role>', 'their role, e.g. health_adviser, clinician, system_admin')
    .requiredOption('--organisation <code>', 'their organisation code, e.g. RYC (DH for national)')
    .requiredOption('--name <display name>', 'the name they are known by')
    .action(async (username: string, opts: { role: string; organisation: string; name: string }) => {
      const password = await passwordFromStdin();
      await withContext(async (ctx) => {
        const user = await addUser(ctx, systemCaller('users-add'), {
          username,
          displayName: opts.name,
          role: opts.role,
          organisation: opts.organisation,
          password,
        });
        return [`added ${describeUser(user)}`];
      });
    });
  users
    .command('list')
    .description('every member of staff')
    .action(async () =>
      withContext(async (ctx) => (await listUsers(ctx, systemCaller('users-list'))).map(describeUser)),
    );
  users
    .command('disable <username>')
    .description('disable a member of staff: they cannot sign in, and their sessions end')
    .action(async (username: string) =>
      withContext(async (ctx) => [
        `disabled ${describeUser(await disableUser(ctx, systemCaller('users-disable'), username))}`,
      ]),
    );
  users
    .command('password <username>')
    .description("reset a member of staff's password, read from standard input (their sessions end)")
    .action(async (username: string) => {
      const password = await passwordFromStdin();
      await withContext(async (ctx) => {
        const user = await resetPassword(ctx, systemCaller('users-password'), username, password);
        return [`new password set for ${user.username}`];
      });
    });
}
