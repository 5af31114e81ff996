import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  addOrganisation,
  addUser,
  disableUser,
  listOrganisations,
  listUsers,
  resetPassword,
  type User,
} from '../services/users';
import { callerOf, typed } from './context';

// Lengths and formats are the service's rules (the same for the CLI), checked there in plain words.
const NewUserBody = Type.Object(
  {
    username: Type.String(),
    displayName: Type.String(),
    role: Type.String(),
    organisation: Type.String({ description: 'The organisation code, e.g. RYC' }),
    password: Type.String(),
  },
  { additionalProperties: false },
);

const UserOut = Type.Object({
  username: Type.String(),
  displayName: Type.String(),
  role: Type.String(),
  organisationCode: Type.String(),
  disabledAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  demo: Type.Boolean({ description: 'A demo log-in: signs in only while the server runs with --demo' }),
  createdAt: Type.String({ format: 'date-time' }),
});

const Organisation = Type.Object(
  {
    code: Type.String({ description: 'Its ODS code, e.g. RYC' }),
    name: Type.String(),
    kind: Type.String({ description: 'provider: commissioners come from the health geography' }),
  },
  { additionalProperties: false },
);

const Username = Type.Object({ username: Type.String() });

const userOut = (u: User) => ({
  username: u.username,
  displayName: u.displayName,
  role: u.role,
  organisationCode: u.organisationCode,
  disabledAt: u.disabledAt?.toISOString() ?? null,
  demo: u.demo,
  createdAt: u.createdAt.toISOString(),
});

/** User and organisation administration, for the national system administrator. */
export async function adminPlugin(app: FastifyInstance): Promise<void> {
  const r = typed(app);
  const tags = ['admin'];

  r.get(
    '/api/admin/users',
    {
      schema: { tags, summary: 'Every member of staff', response: { 200: Type.Array(UserOut) } },
      config: { access: 'user.admin' },
    },
    async (request) => (await listUsers(app.ctx, callerOf(request))).map(userOut),
  );

  r.post(
    '/api/admin/users',
    {
      schema: { tags, summary: 'Add a member of staff', body: NewUserBody, response: { 201: UserOut } },
      config: { access: 'user.admin' },
    },
    async (request, reply) =>
      reply.code(201).send(userOut(await addUser(app.ctx, callerOf(request), request.body))),
  );

  r.post(
    '/api/admin/users/:username/disable',
    {
      schema: {
        tags,
        summary: 'Disable a member of staff: they cannot sign in, and their sessions end',
        params: Username,
        response: { 200: UserOut },
      },
      config: { access: 'user.admin' },
    },
    async (request) => userOut(await disableUser(app.ctx, callerOf(request), request.params.username)),
  );

  r.post(
    '/api/admin/users/:username/password',
    {
      schema: {
        tags,
        summary: "Reset a member of staff's password (their sessions end)",
        params: Username,
        body: Type.Object({ password: Type.String() }, { additionalProperties: false }),
        response: { 200: UserOut },
      },
      config: { access: 'user.admin' },
    },
    async (request) =>
      userOut(
        await resetPassword(app.ctx, callerOf(request), request.params.username, request.body.password),
      ),
  );

  r.get(
    '/api/admin/organisations',
    {
      schema: {
        tags,
        summary: 'Organisations staff can belong to',
        querystring: Type.Object({ kind: Type.Optional(Type.String()) }, { additionalProperties: false }),
        response: { 200: Type.Array(Organisation) },
      },
      config: { access: 'user.admin' },
    },
    async (request) =>
      listOrganisations(app.ctx, callerOf(request), request.query.kind ? { kind: request.query.kind } : {}),
  );

  r.post(
    '/api/admin/organisations',
    {
      schema: {
        tags,
        summary: 'Add a provider organisation',
        body: Organisation,
        response: { 201: Organisation },
      },
      config: { access: 'user.admin' },
    },
    async (request, reply) =>
      reply.code(201).send(await addOrganisation(app.ctx, callerOf(request), request.body)),
  );
}
