import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { openReferralService, openReferralServices } from '../services/directory';
import type { DirectoryState } from '../services/directory-state';
import { callerOf, typed } from './context';

export const OPENREFERRAL_BASE = '/openreferral';

/**
 * Open Referral UK (HSDS 3.0) read API over the Directory of Services: `/services` a page at a time, as
 * the HSDS OpenAPI pages (`page`, `per_page`; `total_items`, `page_number`, `contents`…), and
 * `/services/{id}` in full. The directory is a professional one, so the caller signs in (service.read).
 */
export async function openReferralRoutes(app: FastifyInstance, directory: DirectoryState): Promise<void> {
  const r = typed(app);

  r.get(
    `${OPENREFERRAL_BASE}/`,
    {
      schema: { tags: ['openreferral'], summary: 'The Open Referral API: version and profile' },
      // Says which version of the standard is served, and nothing of the directory: every member of staff may read it.
      config: { access: 'signed-in' },
    },
    async () => ({
      version: '3.0',
      profile: 'https://openreferraluk.org/',
      openapi_url: '/docs/json',
    }),
  );

  r.get(
    `${OPENREFERRAL_BASE}/services`,
    {
      schema: {
        tags: ['openreferral'],
        summary: 'HSDS 3.0 services, a page at a time (page, per_page up to 500, search by name)',
        querystring: Type.Object(
          {
            page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }),
            per_page: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
            search: Type.Optional(Type.String({ maxLength: 100 })),
          },
          { additionalProperties: false },
        ),
      },
      config: { access: 'service.read' },
    },
    async (request) => {
      const q = request.query;
      return openReferralServices(
        app.ctx,
        callerOf(request),
        { page: q.page, perPage: q.per_page, search: q.search },
        directory,
      );
    },
  );

  r.get(
    `${OPENREFERRAL_BASE}/services/:id`,
    {
      schema: {
        tags: ['openreferral'],
        summary: 'One HSDS 3.0 service in full, by its HSDS id (or its DoS id)',
        params: Type.Object({ id: Type.String({ maxLength: 64, pattern: '^[A-Za-z0-9\\-.]{1,64}$' }) }),
      },
      config: { access: 'service.read' },
    },
    async (request) => openReferralService(app.ctx, callerOf(request), request.params.id, directory),
  );
}
