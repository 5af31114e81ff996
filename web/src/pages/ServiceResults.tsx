import type { ReactNode } from 'react';
import type { SearchResult } from '../api-types';

type Result = SearchResult['results'][number];

/** What a row's button does: refer there at once, or choose the service for a form sent later. */
export interface ServiceAction {
  readonly text: string;
  readonly label: string;
  readonly onClick: () => void;
  readonly disabled?: boolean;
  /** For a choice: whether this row is the one chosen. */
  readonly pressed?: boolean;
}

/**
 * The Directory's ranked services for a disposition, with why each is there and one action per row: the
 * table the workspace, the clinician's call-back and the validation screen each show before a referral.
 */
export function ServiceResults(props: {
  readonly label: string;
  readonly caption?: ReactNode;
  readonly results: readonly Result[];
  readonly empty: string;
  readonly act: (r: Result) => ServiceAction;
}) {
  return (
    <table aria-label={props.label}>
      {props.caption && <caption>{props.caption}</caption>}
      <thead>
        <tr>
          <th>#</th>
          <th>Service</th>
          <th>Why</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {props.results.map((r) => {
          const a = props.act(r);
          return (
            <tr key={r.service.id} className={a.pressed ? 'chosen' : undefined}>
              <td>{r.position}</td>
              <td>
                {r.service.name} <span className="muted">({r.service.typeName})</span>
              </td>
              <td className="muted">{r.why.join('; ')}</td>
              <td>
                <button
                  type="button"
                  onClick={a.onClick}
                  disabled={a.disabled}
                  aria-label={a.label}
                  aria-pressed={a.pressed}
                >
                  {a.text}
                </button>
              </td>
            </tr>
          );
        })}
        {props.results.length === 0 && (
          <tr>
            <td colSpan={4}>{props.empty}</td>
          </tr>
        )}
      </tbody>
    </table>
  );
}
