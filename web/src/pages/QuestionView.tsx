import { type ReactNode, type Ref, useState } from 'react';
import type { QuestionView as Question } from '../api-types';

/**
 * One triage question as both the Triage screen and the call workspace ask it: the text (taking the
 * focus through `headingRef`), why it is asked, and its answers, a number with its unit or the
 * options, and always "don't know". `children` follow the answers (the workspace's Back).
 */
export function QuestionView({
  question: q,
  headingRef,
  busy,
  onAnswer,
  context,
  children,
}: {
  question: Question;
  headingRef: Ref<HTMLHeadingElement>;
  busy: boolean;
  onAnswer: (value: string | number) => void;
  /** A line above the question (which pathway it is from). */
  context?: ReactNode;
  children?: ReactNode;
}) {
  const [numberAnswer, setNumberAnswer] = useState('');
  const answer = (value: string | number) => {
    setNumberAnswer('');
    onAnswer(value);
  };
  return (
    // aria-busy while an answer is on its way; data-question names the question, so a reader (and a test)
    // can tell the next question from the one just answered even when their wording is alike.
    <section
      className="question"
      aria-label="Question"
      aria-busy={busy}
      data-question={`${q.pathwayId}/${q.id}`}
    >
      {context && <p className="muted">{context}</p>}
      <h2 ref={headingRef} tabIndex={-1}>
        {q.text}
      </h2>
      <p className="rationale">
        <strong>Why we ask:</strong> {q.rationale}
      </p>
      {q.type === 'number' ? (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            answer(Number(numberAnswer));
          }}
        >
          <label>
            Answer ({q.unit})
            <input
              name="answer"
              type="number"
              step="any"
              min={q.min}
              max={q.max}
              value={numberAnswer}
              onChange={(e) => setNumberAnswer(e.target.value)}
              required
            />
          </label>
          <button type="submit" disabled={busy}>
            Answer
          </button>
          <button type="button" onClick={() => answer(q.dontKnow.value)} disabled={busy}>
            {q.dontKnow.label}
          </button>
        </form>
      ) : (
        <div className="answers">
          {q.options.map((o) => (
            <button key={o.value} type="button" onClick={() => answer(o.value)} disabled={busy}>
              {o.label}
            </button>
          ))}
          <button type="button" onClick={() => answer(q.dontKnow.value)} disabled={busy}>
            {q.dontKnow.label}
          </button>
        </div>
      )}
      {children}
    </section>
  );
}
