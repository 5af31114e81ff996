import { useCallback, useEffect, useState } from 'react';
import { ApiError, api, getToken, type Me } from '../api';
import type { PathwayVersionDetail, PathwayVersionView } from '../api-types';

type Diff = NonNullable<PathwayVersionDetail['diff']>;
type End = Diff['changedPaths'][number]['after'];

const STATUS: Record<PathwayVersionView['status'], string> = {
  draft: 'Draft',
  in_review: 'In review',
  approved: 'Approved',
  released: 'Released',
  retired: 'Retired',
};

const when = (iso: string | null) =>
  iso ? new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' }) : '';

function endText(end: End | null): string {
  if (!end) return '(new pathway)';
  if (end.kind === 'continue') return 'on to the symptom pathway';
  if (end.kind === 'unanswerable') return `cannot take this answer at ${end.questionId}`;
  const within =
    end.timeframeMinutes === null
      ? 'self-care'
      : end.timeframeMinutes < 120
        ? `within ${end.timeframeMinutes} minutes`
        : `within ${Math.round(end.timeframeMinutes / 60)} hours`;
  return `${end.code} ${end.title} (urgency ${end.urgencyRank}, ${within})`;
}

/** YAML is not JSON: the export is fetched as text with the same bearer token the API helper sends. */
async function fetchYaml(pathwayId: string, version: number): Promise<string> {
  const res = await fetch(`/api/governance/pathway-versions/${pathwayId}/${version}/yaml`, {
    headers: { authorization: `Bearer ${getToken() ?? ''}` },
  });
  if (!res.ok) throw new ApiError(res.status, `The server answered ${res.status}.`);
  return res.text();
}

/** The review as a clinician reads it: what changed, and every path that now ends somewhere else. */
function ReviewDiff({ diff }: { diff: Diff }) {
  return (
    <section aria-label="Review diff">
      <h3>
        Change against {diff.fromVersion === null ? 'nothing (a new pathway)' : `version ${diff.fromVersion}`}
      </h3>
      {diff.pathway.length > 0 && (
        <ul aria-label="Pathway changes">
          {diff.pathway.map((c) => (
            <li key={c.field}>
              {c.field}: {c.before} → {c.after}
            </li>
          ))}
        </ul>
      )}
      <h4>Questions</h4>
      <ul aria-label="Question changes">
        {diff.questionsAdded.map((q) => (
          <li key={`a-${q.id}`}>
            Added {q.id}: {q.text}
          </li>
        ))}
        {diff.questionsRemoved.map((q) => (
          <li key={`r-${q.id}`}>
            Removed {q.id}: {q.text}
          </li>
        ))}
        {diff.questionsChanged.map((q) => (
          <li key={`c-${q.id}`}>
            Changed {q.id}: {q.text}
            <ul>
              {q.changes.map((c) => (
                <li key={c.field}>
                  {c.field}: {c.before} → {c.after}
                </li>
              ))}
            </ul>
          </li>
        ))}
        {diff.questionsAdded.length + diff.questionsRemoved.length + diff.questionsChanged.length === 0 && (
          <li className="muted">No question changed.</li>
        )}
      </ul>
      <h4>Dispositions</h4>
      <ul aria-label="Disposition changes">
        {diff.dispositionsAdded.map((d) => (
          <li key={`a-${d.code}`}>
            Now reached: {d.code} {d.title}
          </li>
        ))}
        {diff.dispositionsRemoved.map((d) => (
          <li key={`r-${d.code}`}>
            No longer reached: {d.code} {d.title}
          </li>
        ))}
      </ul>
      <h4>
        Paths whose disposition changes ({diff.changedPaths.length} of {diff.pathsCompared} compared
        {diff.truncated ? ', stopped early' : ''})
      </h4>
      <table aria-label="Changed paths">
        <thead>
          <tr>
            <th>Answers</th>
            <th>Before</th>
            <th>After</th>
            <th>Change</th>
          </tr>
        </thead>
        <tbody>
          {diff.changedPaths.map((p) => (
            <tr key={p.answers.map((a) => `${a.questionId}=${String(a.value)}`).join('&')}>
              <td>
                {p.answers.map((a) => (
                  <div key={a.questionId}>
                    {a.question} <strong>{a.label}</strong>
                  </div>
                ))}
              </td>
              <td>{endText(p.before)}</td>
              <td>{endText(p.after)}</td>
              <td>{p.change}</td>
            </tr>
          ))}
          {diff.changedPaths.length === 0 && (
            <tr>
              <td colSpan={4} className="muted">
                No path ends in a different disposition.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}

/**
 * Pathway change control: a clinician edits a pathway's YAML into a draft and sends it for review; a
 * governance lead other than the author reads the diff, signs it off, releases it (now or at a set time)
 * and can roll a pathway back one step. Every step is the server's to allow: the buttons only ask.
 */
export function Governance({ me }: { me: Me }) {
  const [versions, setVersions] = useState<PathwayVersionView[]>([]);
  const [selected, setSelected] = useState<PathwayVersionDetail | null>(null);
  const [editing, setEditing] = useState<{ pathwayId: string; yaml: string; summary: string } | null>(null);
  const [releaseAt, setReleaseAt] = useState('');
  const [error, setError] = useState<{ message: string; problems: ApiError['problems'] } | null>(null);
  const [status, setStatus] = useState('');
  const mayAuthor = me.role === 'clinician' || me.role === 'governance' || me.role === 'clinical_author';
  const mayReview = me.role === 'governance';

  const refresh = useCallback(async () => {
    setVersions(await api<PathwayVersionView[]>('/api/governance/pathway-versions'));
  }, []);
  useEffect(() => {
    refresh().catch((err: unknown) =>
      setError({ message: err instanceof Error ? err.message : String(err), problems: [] }),
    );
  }, [refresh]);

  const run = async (work: () => Promise<void>) => {
    setError(null);
    setStatus('');
    try {
      await work();
    } catch (err) {
      setError(
        err instanceof ApiError
          ? { message: err.message, problems: err.problems }
          : { message: String(err), problems: [] },
      );
    }
    await refresh();
  };
  const open = (v: { pathwayId: string; version: number }) =>
    run(async () => {
      setEditing(null);
      setSelected(
        await api<PathwayVersionDetail>(`/api/governance/pathway-versions/${v.pathwayId}/${v.version}`),
      );
    });
  const step = (v: PathwayVersionDetail, action: string, body: object = {}, done = '') =>
    run(async () => {
      setSelected(
        await api<PathwayVersionDetail>(
          `/api/governance/pathway-versions/${v.pathwayId}/${v.version}/${action}`,
          {
            method: 'POST',
            body,
          },
        ),
      );
      setStatus(done);
    });

  const inForce = versions.filter((v) => v.releaseState === 'in force');

  return (
    <section>
      <h1>Governance: pathway change control</h1>
      <p className="muted">
        Demonstration content. A draft is validated at every step; it is signed off by a governance lead who
        is not its author, released at a set time, and new triage sessions start on it from then. Older
        sessions replay on the version they started on.
      </p>
      {error && (
        <div role="alert" className="error">
          <p>{error.message}</p>
          {error.problems.length > 0 && (
            <ul aria-label="Validator findings">
              {error.problems.map((p) => (
                <li key={`${p.pointer}:${p.message}`}>
                  {p.pointer}: {p.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <p role="status">{status}</p>

      {mayAuthor && (
        <form
          className="inline-form"
          aria-label="Edit a pathway"
          onSubmit={(e) => {
            e.preventDefault();
            const data = new FormData(e.currentTarget);
            const pick = inForce.find((v) => v.pathwayId === data.get('pathway'));
            if (!pick) return;
            void run(async () => {
              setSelected(null);
              setEditing({
                pathwayId: pick.pathwayId,
                yaml: await fetchYaml(pick.pathwayId, pick.version),
                summary: '',
              });
            });
          }}
        >
          <label>
            Pathway
            <select name="pathway">
              {inForce.map((v) => (
                <option key={v.pathwayId} value={v.pathwayId}>
                  {v.pathwayId} (version {v.version} in force)
                </option>
              ))}
            </select>
          </label>
          <button type="submit">Edit as a new draft</button>
        </form>
      )}

      {editing && (
        <form
          aria-label="Draft"
          className="case-form"
          onSubmit={(e) => {
            e.preventDefault();
            void run(async () => {
              const made = await api<PathwayVersionDetail>('/api/governance/pathway-versions', {
                method: 'POST',
                body: { yaml: editing.yaml, summary: editing.summary },
              });
              setEditing(null);
              setSelected(made);
              setStatus(`Draft ${made.pathwayId} version ${made.version} saved.`);
            });
          }}
        >
          <h2>New draft of {editing.pathwayId}</h2>
          <label>
            What changes and why
            <input
              value={editing.summary}
              required
              onChange={(e) => setEditing({ ...editing, summary: e.target.value })}
            />
          </label>
          <label>
            Pathway YAML
            <textarea
              rows={24}
              cols={100}
              spellCheck={false}
              value={editing.yaml}
              onChange={(e) => setEditing({ ...editing, yaml: e.target.value })}
            />
          </label>
          <button type="submit">Save draft</button>
        </form>
      )}

      {selected && (
        <article aria-label="Pathway version" className="case-panel">
          <h2>
            {selected.pathwayId} version {selected.version}: {STATUS[selected.status]}
            {selected.releaseState ? ` (${selected.releaseState})` : ''}
          </h2>
          <dl className="facts">
            <dt>Author</dt>
            <dd>{selected.author}</dd>
            <dt>Summary</dt>
            <dd>{selected.summary}</dd>
            {selected.approvedBy && (
              <>
                <dt>Signed off</dt>
                <dd>
                  {selected.approvedBy}, {when(selected.approvedAt)}
                </dd>
              </>
            )}
            {selected.releaseAt && (
              <>
                <dt>Release</dt>
                <dd>
                  {when(selected.releaseAt)} by {selected.releasedBy ?? 'open111'}
                </dd>
              </>
            )}
            <dt>Validator</dt>
            <dd>
              {selected.problems.length === 0
                ? 'No findings'
                : `${selected.problems.length} findings: ${selected.problems.map((p) => p.message).join('; ')}`}
            </dd>
          </dl>
          <div className="actions">
            {selected.status === 'draft' && mayAuthor && (
              <button type="button" onClick={() => void step(selected, 'review', {}, 'Sent for review.')}>
                Send for review
              </button>
            )}
            {selected.status === 'in_review' && mayReview && (
              <button type="button" onClick={() => void step(selected, 'approve', {}, 'Signed off.')}>
                Sign off
              </button>
            )}
            {selected.status === 'approved' && mayReview && (
              <>
                <label>
                  Release at (blank: now)
                  <input
                    type="datetime-local"
                    value={releaseAt}
                    onChange={(e) => setReleaseAt(e.target.value)}
                  />
                </label>
                <button
                  type="button"
                  onClick={() =>
                    void step(
                      selected,
                      'release',
                      releaseAt ? { at: new Date(releaseAt).toISOString() } : {},
                      'Released.',
                    )
                  }
                >
                  Release
                </button>
              </>
            )}
            {selected.releaseState === 'in force' && mayReview && (
              <button
                type="button"
                onClick={() =>
                  void run(async () => {
                    const back = await api<{ inForce: PathwayVersionView }>(
                      `/api/governance/pathways/${selected.pathwayId}/rollback`,
                      { method: 'POST' },
                    );
                    setStatus(`Rolled back: version ${back.inForce.version} is in force again.`);
                    setSelected(null);
                  })
                }
              >
                Roll back
              </button>
            )}
          </div>
          {selected.diff && <ReviewDiff diff={selected.diff} />}
          <details>
            <summary>YAML</summary>
            <pre>{selected.yaml}</pre>
          </details>
        </article>
      )}

      <table aria-label="Pathway versions">
        <thead>
          <tr>
            <th>Pathway</th>
            <th>Version</th>
            <th>Status</th>
            <th>Author</th>
            <th>Signed off by</th>
            <th>Release</th>
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => (
            <tr key={`${v.pathwayId}@${v.version}`}>
              <td>
                <button type="button" onClick={() => void open(v)}>
                  {v.pathwayId} v{v.version}
                </button>
              </td>
              <td>{v.version}</td>
              <td>
                {STATUS[v.status]}
                {v.releaseState ? ` (${v.releaseState})` : ''}
              </td>
              <td>{v.author}</td>
              <td>{v.approvedBy ?? ''}</td>
              <td>{when(v.releaseAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
