import { readDispositionContent } from '../content/dispositions';
import type { ChosenService } from '../domain/cases/index';
import { acceptsDisposition, indexService } from '../domain/directory/index';
import type { Disposition } from '../domain/dispositions/index';
import { conflict, invalid, notFound } from '../domain/errors';
import { findService } from '../store/directory';
import { readTriageSession } from '../store/triage';
import type { CaseDependencies, CaseLookup } from './cases';

/**
 * The triage session must be this provider's, finished, and have ended in exactly the disposition the
 * case records: the outcome follows the triage, never a code typed in its place. Another provider's
 * session is "not found", like one that never was. The read is audited by the triage store.
 */
export async function verifyTriage(
  lookup: CaseLookup,
  triageSessionId: string,
  dispositionCode: string,
): Promise<void> {
  const s = await readTriageSession(lookup.db, triageSessionId, lookup);
  if (lookup.actor.role !== 'system_admin' && s.createdByOrganisation !== lookup.actor.organisationCode)
    throw notFound(`There is no triage session ${triageSessionId}.`);
  if (s.status !== 'finished' || s.dispositionCode === null)
    throw conflict(
      `Triage session ${triageSessionId} is still in progress: finish the triage before recording its disposition.`,
    );
  if (s.dispositionCode !== dispositionCode)
    throw invalid(
      `Triage session ${triageSessionId} ended in ${s.dispositionCode}, not ${dispositionCode}: the outcome must follow the triage.`,
      [
        {
          pointer: '/body/dispositionCode',
          message: `the triage ended in ${s.dispositionCode}`,
          rule: 'disposition-follows-triage',
        },
      ],
    );
}

/**
 * The chosen service as the Directory of Services records it: it must exist, be active and accept the
 * disposition (the directory's own rule). The referral goes to the directory's name and first endpoint.
 */
export async function resolveService(
  lookup: CaseLookup,
  serviceId: string,
  disposition: Disposition,
): Promise<ChosenService> {
  const record = await findService(lookup.db, serviceId);
  if (!record) throw notFound(`There is no service "${serviceId}" in the Directory of Services.`);
  const service = indexService(record);
  if (!service.active)
    throw conflict(
      `${record.name} (${record.id}) is ${record.status} in the Directory of Services: refer to an active service.`,
    );
  if (!acceptsDisposition(service, disposition.code))
    throw invalid(
      `${record.name} (${record.id}) does not accept ${disposition.code} (${disposition.title}): choose a service the directory offers for this disposition.`,
      [
        {
          pointer: '/body/service/id',
          message: `the service does not accept ${disposition.code}`,
          rule: 'service-accepts-disposition',
        },
      ],
    );
  const endpoint = [...record.endpoints].sort((a, b) => a.order - b.order)[0];
  if (!endpoint)
    throw conflict(
      `${record.name} (${record.id}) has no endpoint in the Directory of Services: a referral cannot be sent to it.`,
    );
  return { id: record.id, name: record.name, endpoint: endpoint.address };
}

/** The cases module's dependencies, wired to the triage store and the Directory of Services. */
export function caseDependencies(): CaseDependencies {
  return { dispositions: readDispositionContent(), verifyTriage, resolveService };
}
