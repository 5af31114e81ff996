import type { Db } from '../store/db';
import { seedDemoStaffOnce } from './demo-user';

/**
 * Demo additions for clinical governance: a clinical author (log-in `author`), who writes pathway drafts,
 * and a case reviewer (log-in `reviewer`), who replays and scores the review queue, both at NHS Direct.
 * The governance lead is the `governance` log-in. Idempotent.
 */
export async function seedReviewDemo(db: Db, password: string): Promise<boolean> {
  const author = await seedDemoStaffOnce(
    db,
    'review.author',
    { username: 'author', displayName: 'Ari Author', role: 'clinical_author' },
    password,
  );
  const reviewer = await seedDemoStaffOnce(
    db,
    'review.reviewer',
    { username: 'reviewer', displayName: 'Rae Reviewer', role: 'reviewer' },
    password,
  );
  return author || reviewer;
}
