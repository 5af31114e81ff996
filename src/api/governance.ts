import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  approveVersion,
  listPathwayVersionsFor,
  readPathwayVersion,
  releaseVersion,
  returnToDraft,
  rollBack,
  sendForReview,
  submitDraft,
} from '../services/governance';
import { callerOf, typed } from './context';

const PATHWAY_ID = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]*$', maxLength: 80 });
const versionParams = Type.Object({
  pathwayId: PATHWAY_ID,
  version: Type.Integer({ minimum: 1, maximum: 100_000 }),
});
const STATUS = Type.Union([
  Type.Literal('draft'),
  Type.Literal('in_review'),
  Type.Literal('approved'),
  Type.Literal('released'),
  Type.Literal('retired'),
]);

/** Clinical governance over HTTP: pathway change control. Each route parses, calls one use case, sends. */
export async function governancePlugin(app: FastifyInstance): Promise<void> {
  const r = typed(app);
  const tags = ['governance'];

  r.get(
    '/api/governance/pathway-versions',
    {
      schema: {
        tags,
        summary: 'Pathway versions and where each is in change control (the review queue: status=in_review)',
        querystring: Type.Object(
          { pathway: Type.Optional(PATHWAY_ID), status: Type.Optional(STATUS) },
          { additionalProperties: false },
        ),
      },
      config: { access: 'content.read' },
    },
    async (request) =>
      listPathwayVersionsFor(app.ctx, callerOf(request), {
        ...(request.query.pathway ? { pathwayId: request.query.pathway } : {}),
        ...(request.query.status ? { status: request.query.status } : {}),
      }),
  );

  r.get(
    '/api/governance/pathway-versions/:pathwayId/:version',
    {
      schema: {
        tags,
        summary: 'One version: its YAML, the validator’s findings and the review diff',
        params: versionParams,
      },
      config: { access: 'content.read' },
    },
    async (request) =>
      readPathwayVersion(app.ctx, callerOf(request), request.params.pathwayId, request.params.version),
  );

  r.get(
    '/api/governance/pathway-versions/:pathwayId/:version/yaml',
    {
      schema: { tags, summary: 'One version exported as its YAML file', params: versionParams },
      config: { access: 'content.read' },
    },
    async (request, reply) => {
      const v = await readPathwayVersion(
        app.ctx,
        callerOf(request),
        request.params.pathwayId,
        request.params.version,
      );
      return reply
        .type('application/yaml; charset=utf-8')
        .header('content-disposition', `attachment; filename="${v.file}"`)
        .send(v.yaml);
    },
  );

  r.post(
    '/api/governance/pathway-versions',
    {
      schema: {
        tags,
        summary: 'Submit a draft: the YAML of one pathway (refused with the validator’s findings if unsafe)',
        body: Type.Object(
          {
            yaml: Type.String({ minLength: 1, maxLength: 200_000 }),
            summary: Type.String({ minLength: 1, maxLength: 2000 }),
          },
          { additionalProperties: false },
        ),
      },
      config: { access: 'content.author' },
    },
    async (request, reply) =>
      reply.code(201).send(await submitDraft(app.ctx, callerOf(request), request.body)),
  );

  r.post(
    '/api/governance/pathway-versions/:pathwayId/:version/review',
    {
      schema: { tags, summary: 'Send a draft for review (its author)', params: versionParams },
      config: { access: 'content.author' },
    },
    async (request) =>
      sendForReview(app.ctx, callerOf(request), request.params.pathwayId, request.params.version),
  );

  r.post(
    '/api/governance/pathway-versions/:pathwayId/:version/approve',
    {
      schema: {
        tags,
        summary: 'Sign off a version in review (a governance lead who is not its author)',
        params: versionParams,
        body: Type.Object(
          { note: Type.Optional(Type.String({ maxLength: 2000 })) },
          { additionalProperties: false },
        ),
      },
      config: { access: 'content.review' },
    },
    async (request) =>
      approveVersion(
        app.ctx,
        callerOf(request),
        request.params.pathwayId,
        request.params.version,
        request.body.note ?? null,
      ),
  );

  r.post(
    '/api/governance/pathway-versions/:pathwayId/:version/return',
    {
      schema: {
        tags,
        summary: 'Send a version in review back to its author as a draft',
        params: versionParams,
        body: Type.Object(
          { note: Type.String({ minLength: 1, maxLength: 2000 }) },
          { additionalProperties: false },
        ),
      },
      config: { access: 'content.review' },
    },
    async (request) =>
      returnToDraft(
        app.ctx,
        callerOf(request),
        request.params.pathwayId,
        request.params.version,
        request.body.note,
      ),
  );

  r.post(
    '/api/governance/pathway-versions/:pathwayId/:version/release',
    {
      schema: {
        tags,
        summary: 'Release an approved version, now or at a set time',
        params: versionParams,
        body: Type.Object(
          { at: Type.Optional(Type.String({ format: 'date-time' })) },
          { additionalProperties: false },
        ),
      },
      config: { access: 'content.release' },
    },
    async (request) =>
      releaseVersion(
        app.ctx,
        callerOf(request),
        request.params.pathwayId,
        request.params.version,
        request.body.at ? new Date(request.body.at) : undefined,
      ),
  );

  r.post(
    '/api/governance/pathways/:pathwayId/rollback',
    {
      schema: {
        tags,
        summary: 'Roll a pathway back one step: the version in force is retired, the one before is in force',
        params: Type.Object({ pathwayId: PATHWAY_ID }),
      },
      config: { access: 'content.release' },
    },
    async (request) => rollBack(app.ctx, callerOf(request), request.params.pathwayId),
  );
}
