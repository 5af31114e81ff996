import fc from 'fast-check';
import KDBush from 'kdbush';
import { describe, expect, it } from 'vitest';
import { NearestWalk, type WalkTree } from './nearest-walk';
import { distanceKm } from './spatial';

const RAD = Math.PI / 180;

/** A tree over points, its slots `first`, `first + 1`, … (as a group's slots are). */
function treeOf(points: readonly [number, number][], first: number, nodeSize: number): WalkTree {
  const tree = new KDBush(points.length, nodeSize, Float64Array);
  const box = { minX: 180, minY: 90, maxX: -180, maxY: -90 };
  for (const [lat, lng] of points) {
    tree.add(lng, lat);
    box.minX = Math.min(box.minX, lng);
    box.maxX = Math.max(box.maxX, lng);
    box.minY = Math.min(box.minY, lat);
    box.maxY = Math.max(box.maxY, lat);
  }
  tree.finish();
  const cosLat = new Float64Array(points.length);
  for (let i = 0; i < points.length; i++) cosLat[i] = Math.cos((tree.coords[2 * i + 1] as number) * RAD);
  return { tree, slots: Int32Array.from(points, (_, i) => first + i), box, cosLat };
}

// England and a margin; some points piled on one spot, so equal distances are tried too.
const point = fc.oneof(
  fc.tuple(fc.double({ min: 49.5, max: 56, noNaN: true }), fc.double({ min: -6.5, max: 2.5, noNaN: true })),
  fc.constant<[number, number]>([51.5, -0.12]),
);
const treesArb = fc.array(
  fc.record({
    points: fc.array(point, { minLength: 1, maxLength: 120 }),
    nodeSize: fc.constantFrom(2, 8, 16),
  }),
  { minLength: 1, maxLength: 4 },
);

describe('NearestWalk', () => {
  it('gives every service within the radius of every tree, nearest first, at distanceKm to the last bit', () => {
    fc.assert(
      fc.property(
        treesArb,
        point,
        fc.double({ min: 0.5, max: 150, noNaN: true }),
        (specs, [lat, lng], radius) => {
          const walk = new NearestWalk();
          walk.start(lat, lng, radius);
          const expected: { slot: number; d: number; tag: number }[] = [];
          let first = 0;
          specs.forEach((spec, tag) => {
            walk.add(treeOf(spec.points, first, spec.nodeSize), tag);
            spec.points.forEach(([pLat, pLng], i) => {
              const d = distanceKm(lat, lng, pLat, pLng);
              if (d <= radius) expected.push({ slot: first + i, d, tag });
            });
            first += spec.points.length;
          });
          const got: { slot: number; d: number; tag: number }[] = [];
          for (let slot = walk.next(); slot >= 0; slot = walk.next())
            got.push({ slot, d: walk.distanceKm, tag: walk.tag });
          for (let i = 1; i < got.length; i++)
            expect(got[i]?.d).toBeGreaterThanOrEqual(got[i - 1]?.d as number);
          const bySlot = (a: { slot: number }, b: { slot: number }) => a.slot - b.slot;
          expect([...got].sort(bySlot)).toEqual(expected.sort(bySlot));
        },
      ),
      { numRuns: 300, endOnFailure: true },
    );
  });

  it('after tighten(km), still gives everything nearer than km, in order', () => {
    fc.assert(
      fc.property(treesArb, point, fc.integer({ min: 1, max: 30 }), (specs, [lat, lng], k) => {
        const walk = new NearestWalk();
        walk.start(lat, lng, 99);
        let first = 0;
        for (const spec of specs) {
          walk.add(treeOf(spec.points, first, spec.nodeSize), 0);
          first += spec.points.length;
        }
        // As the gap list does: after the k-th, nothing farther than it is wanted.
        const got: number[] = [];
        for (let slot = walk.next(); slot >= 0; slot = walk.next()) {
          got.push(walk.distanceKm);
          if (got.length === k) walk.tighten(walk.distanceKm);
        }
        const all = specs
          .flatMap((s) => s.points)
          .map(([pLat, pLng]) => distanceKm(lat, lng, pLat, pLng))
          .filter((d) => d <= 99)
          .sort((a, b) => a - b);
        const bound = all[k - 1] ?? Number.POSITIVE_INFINITY;
        expect(got.filter((d) => d <= bound)).toEqual(all.filter((d) => d <= bound));
      }),
      { numRuns: 200, endOnFailure: true },
    );
  });

  it('reuses its queue from one walk to the next', () => {
    const walk = new NearestWalk();
    const t = treeOf(
      Array.from({ length: 3000 }, (_, i) => [51 + (i % 60) * 0.01, -1 + Math.floor(i / 60) * 0.01]),
      0,
      16,
    );
    for (const radius of [99, 5]) {
      walk.start(51.3, -0.75, radius);
      walk.add(t, 7);
      let n = 0;
      for (let slot = walk.next(); slot >= 0; slot = walk.next()) {
        expect(walk.tag).toBe(7);
        n++;
      }
      expect(n).toBe(
        [...Array(3000).keys()].filter(
          (i) => distanceKm(51.3, -0.75, 51 + (i % 60) * 0.01, -1 + Math.floor(i / 60) * 0.01) <= radius,
        ).length,
      );
    }
  });
});
