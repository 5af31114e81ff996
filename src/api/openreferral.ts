import cors from '@fastify/cors';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { DirectoryState } from '../services/directory-state';
import {
  openReferralOrganization,
  openReferralOrganizations,
  openReferralService,
  openReferralServiceAtLocation,
  openReferralServiceAtLocations,
  openReferralServices,
  openReferralTaxonomies,
  openReferralTaxonomyTerms,
} from '../services/openreferral';
import { typed } from './context';

export const OPENREFERRAL_BASE = '/openreferral';

/** What anyone's web page may do with the Open Referral API: read it, from any origin, with no credentials. */
const OPEN_REFERRAL_CORS = { origin: '*', methods: ['GET', 'HEAD'], credentials: false, maxAge: 86_400 };

const Paging = {
  page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }),
  per_page: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
};
const Search = { search: Type.Optional(Type.String({ maxLength: 100 })) };
const Uuid = Type.String({ format: 'uuid' });
const ServiceFilters = Type.Object(
  {
    ...Paging,
    ...Search,
    taxonomy_term_id: Type.Optional(Uuid),
    taxonomy_id: Type.Optional(Uuid),
    organization_id: Type.Optional(Uuid),
    modified_after: Type.Optional(Type.String({ format: 'date-time' })),
    postcode: Type.Optional(Type.String({ minLength: 2, maxLength: 10 })),
    proximity: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, description: 'metres' })),
  },
  { additionalProperties: false },
);
const Id = Type.Object({ id: Type.String({ maxLength: 64, pattern: '^[A-Za-z0-9\\-.]{1,64}$' }) });

const serviceQuery = (q: {
  page: number;
  per_page: number;
  search?: string;
  taxonomy_term_id?: string;
  taxonomy_id?: string;
  organization_id?: string;
  modified_after?: string;
  postcode?: string;
  proximity?: number;
}) => ({
  page: q.page,
  perPage: q.per_page,
  search: q.search,
  taxonomyTermId: q.taxonomy_term_id,
  taxonomyId: q.taxonomy_id,
  organizationId: q.organization_id,
  modifiedAfter: q.modified_after,
  postcode: q.postcode,
  proximity: q.proximity,
});

/**
 * Open Referral UK (HSDS 3.0) API over the Directory of Services, as the HSDS OpenAPI lays it out:
 * services, services at locations, organisations, taxonomies and their terms, each list a page at a
 * time (`page`, `per_page`; `total_items`, `total_pages`, `page_number`, `size`, `first_page`,
 * `last_page`, `empty`, `contents`). Public and read-only, like every ORUK directory; what is for
 * professionals only is left out (src/services/openreferral.ts).
 */
export async function openReferralRoutes(app: FastifyInstance, directory: DirectoryState): Promise<void> {
  // CORS for these routes only, in a scope of their own, so its hooks run on no other request and
  // every other path keeps the same-origin rule. Pages of any origin may read them, as ORUK
  // directories are read from other organisations' web pages. A browser's preflight (OPTIONS, which carries no
  // credentials) is answered by @fastify/cors's route, which the route table takes as public.
  await app.register(
    async (scope) => {
      await scope.register(cors, OPEN_REFERRAL_CORS);
      await openReferralScope(scope, directory);
    },
    { prefix: OPENREFERRAL_BASE },
  );
}

async function openReferralScope(app: FastifyInstance, directory: DirectoryState): Promise<void> {
  const r = typed(app);
  const tags = ['openreferral'];

  r.get(
    '/',
    {
      prefixTrailingSlash: 'slash', // /openreferral/, as the other routes are /openreferral/…
      schema: { tags, summary: 'The Open Referral API: version and profile' },
      config: { access: 'public' },
    },
    async () => ({
      version: '3.0',
      profile: 'https://openreferraluk.org/',
      openapi_url: '/docs/json',
    }),
  );

  r.get(
    '/services',
    {
      schema: {
        tags,
        summary:
          'HSDS 3.0 services, a page at a time: search, taxonomy_term_id, taxonomy_id, organization_id, modified_after, postcode (nearest first) and proximity (metres)',
        querystring: ServiceFilters,
      },
      config: { access: 'public' },
    },
    async (request) => openReferralServices(app.ctx, serviceQuery(request.query), directory),
  );

  r.get(
    '/services/:id',
    {
      schema: { tags, summary: 'One HSDS 3.0 service in full, by its HSDS id (or its DoS id)', params: Id },
      config: { access: 'public' },
    },
    async (request) => openReferralService(app.ctx, request.params.id, directory),
  );

  r.get(
    '/service_at_locations',
    {
      schema: {
        tags,
        summary: 'HSDS 3.0 services at locations, with the location in full; the same filters as /services',
        querystring: ServiceFilters,
      },
      config: { access: 'public' },
    },
    async (request) => openReferralServiceAtLocations(app.ctx, serviceQuery(request.query), directory),
  );

  r.get(
    '/service_at_locations/:id',
    {
      schema: { tags, summary: 'One HSDS 3.0 service at a location', params: Id },
      config: { access: 'public' },
    },
    async (request) => openReferralServiceAtLocation(app.ctx, request.params.id, directory),
  );

  r.get(
    '/organizations',
    {
      schema: {
        tags,
        summary: 'The organisations that run the directory’s services (search by name or ODS code)',
        querystring: Type.Object({ ...Paging, ...Search }, { additionalProperties: false }),
      },
      config: { access: 'public' },
    },
    async (request) =>
      openReferralOrganizations(
        app.ctx,
        { page: request.query.page, perPage: request.query.per_page, search: request.query.search },
        directory,
      ),
  );

  r.get(
    '/organizations/:id',
    {
      schema: { tags, summary: 'One organisation, by its HSDS id or its ODS code', params: Id },
      config: { access: 'public' },
    },
    async (request) => openReferralOrganization(app.ctx, request.params.id, directory),
  );

  r.get(
    '/taxonomies',
    {
      schema: {
        tags,
        summary: 'The vocabularies the directory classifies services by',
        querystring: Type.Object({ ...Paging, ...Search }, { additionalProperties: false }),
      },
      config: { access: 'public' },
    },
    async (request) =>
      openReferralTaxonomies({
        page: request.query.page,
        perPage: request.query.per_page,
        search: request.query.search,
      }),
  );

  r.get(
    '/taxonomy_terms',
    {
      schema: {
        tags,
        summary: 'The taxonomy terms the directory’s services carry (by taxonomy_id, search by code or name)',
        querystring: Type.Object(
          { ...Paging, ...Search, taxonomy_id: Type.Optional(Uuid) },
          { additionalProperties: false },
        ),
      },
      config: { access: 'public' },
    },
    async (request) =>
      openReferralTaxonomyTerms(
        app.ctx,
        {
          page: request.query.page,
          perPage: request.query.per_page,
          search: request.query.search,
          taxonomyId: request.query.taxonomy_id,
        },
        directory,
      ),
  );
}
