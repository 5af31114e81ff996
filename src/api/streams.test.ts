import { describe, expect, it } from 'vitest';
import { StreamRegistry } from './streams';

describe('the stream registry of a node', () => {
  it('is back to empty after 1,000 streams open and stop', () => {
    const streams = new StreamRegistry(50);
    for (let round = 0; round < 20; round++) {
      const stops = Array.from({ length: 50 }, () => {
        const stop = () => streams.delete(stop);
        expect(streams.add(stop)).toBe(true);
        return stop;
      });
      expect(streams.size).toBe(50);
      for (const stop of stops) stop();
      expect(streams.size).toBe(0);
    }
  });

  it('refuses a stream past its limit and takes one again when a place frees', () => {
    const streams = new StreamRegistry(2);
    const a = () => undefined;
    const b = () => undefined;
    expect(streams.add(a)).toBe(true);
    expect(streams.add(b)).toBe(true);
    expect(streams.full).toBe(true);
    expect(streams.add(() => undefined)).toBe(false);
    expect(streams.size).toBe(2);
    streams.delete(a);
    expect(streams.full).toBe(false);
    expect(streams.add(() => undefined)).toBe(true);
    expect(streams.size).toBe(2);
  });

  it('ends every stream on stopAll, each leaving as it stops', () => {
    const streams = new StreamRegistry(10);
    let ended = 0;
    for (let i = 0; i < 10; i++) {
      const stop = () => {
        ended += 1;
        streams.delete(stop);
      };
      streams.add(stop);
    }
    streams.stopAll();
    expect(ended).toBe(10);
    expect(streams.size).toBe(0);
  });

  it('refuses a limit that is not a whole number', () => {
    expect(() => new StreamRegistry(-1)).toThrow(/whole number/);
    expect(() => new StreamRegistry(1.5)).toThrow(/whole number/);
  });
});
