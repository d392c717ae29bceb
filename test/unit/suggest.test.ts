import { describe, expect, it } from 'vitest';
import { closest, didYouMean, editDistance } from '../../src/suggest.js';

describe('did you mean', () => {
  it('counts inserts, deletes, substitutions and a swap of neighbours as one edit each', () => {
    expect(editDistance('regster', 'register')).toBe(1);
    expect(editDistance('lsit', 'list')).toBe(1);
    expect(editDistance('cancle', 'cancel')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests only slips: near words, or a prefix of exactly one word', () => {
    const words = ['register', 'list', 'status', 'cancel', 'runners', 'reply', 'rules'];
    expect(closest('regster', words)).toBe('register');
    expect(closest('LST', words)).toBe('list');
    expect(closest('reg', words)).toBe('register');
    expect(closest('ru', words)).toBeUndefined();
    expect(closest('frobnicate', words)).toBeUndefined();
    expect(closest('list', words)).toBeUndefined();
    expect(closest('', words)).toBeUndefined();
    expect(didYouMean('statsu', words)).toBe('; did you mean "status"?');
    expect(didYouMean('zzz', words)).toBe('');
  });
});
