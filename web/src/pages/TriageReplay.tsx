import type { TriageSession } from '../api-types';

const when = (iso: string) =>
  new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'medium' });

/**
 * A triage session as the adviser saw it: each question, the answer and when (the Review screen's replay,
 * the Validation screen and the clinician's call-back all show it so).
 */
export function TriageAnswers({ session }: { session: TriageSession }) {
  return (
    <table aria-label="Questions and answers">
      <thead>
        <tr>
          <th>Time</th>
          <th>Question</th>
          <th>Answer</th>
          <th>By</th>
        </tr>
      </thead>
      <tbody>
        {session.answers.length === 0 && (
          <tr>
            <td colSpan={4} className="muted">
              No question was answered.
            </td>
          </tr>
        )}
        {session.answers.map((a) => (
          <tr key={a.seq}>
            <td>{when(a.at)}</td>
            <td>{a.question}</td>
            <td>{a.label}</td>
            <td>{a.answeredBy}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
