import { describe, expect, it } from 'vitest';
import { BoundedMap } from './bounded-map';

describe('a bounded cache', () => {
  it('fed ten times its size stays at its size', () => {
    const cache = new BoundedMap<number, string>(100);
    for (let i = 0; i < 1000; i++) expect(cache.get(i, String)).toBe(String(i));
    expect(cache.size).toBe(100);
  });

  it('makes a value once while it is held, and again after it was forgotten', () => {
    const cache = new BoundedMap<string, number>(2);
    let made = 0;
    const make = () => ++made;
    expect(cache.get('a', make)).toBe(1);
    expect(cache.get('a', make)).toBe(1);
    cache.get('b', make);
    cache.get('c', make); // full: the oldest, 'a', goes
    expect(cache.size).toBe(2);
    expect(cache.get('b', make)).toBe(2);
    expect(cache.get('a', make)).toBe(4);
    expect(made).toBe(4);
  });

  it('refuses a size below one', () => {
    expect(() => new BoundedMap(0)).toThrow(/1 entry or more/);
  });
});
