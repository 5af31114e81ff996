import { describe, expect, it } from 'vitest';
import {
  MIN_PASSWORD_LENGTH,
  newAccountProblems,
  newOrganisationProblems,
  passwordProblems,
} from './accounts';

const account = {
  username: 'ryc.adviser',
  displayName: 'Robin Adviser',
  role: 'health_adviser',
  organisationCode: 'RYC',
  password: 'x'.repeat(MIN_PASSWORD_LENGTH),
};

describe('account rules', () => {
  it('accepts a well-formed account, the password at exactly the minimum length', () => {
    expect(newAccountProblems(account)).toEqual([]);
  });

  it('refuses a password one character short, and one over the maximum', () => {
    expect(passwordProblems('x'.repeat(MIN_PASSWORD_LENGTH - 1))[0]?.rule).toBe('password-min-length');
    expect(passwordProblems('x'.repeat(201))[0]?.rule).toBe('password-max-length');
  });

  it('names each thing wrong: username, display name, role, organisation code', () => {
    const problems = newAccountProblems({
      ...account,
      username: 'Cli:Admin',
      displayName: '  ',
      role: 'wizard',
      organisationCode: 'ryc',
    });
    expect(problems.map((p) => p.pointer)).toEqual(['/username', '/displayName', '/role', '/organisation']);
  });

  it('adds only provider organisations', () => {
    expect(newOrganisationProblems({ code: 'RYC', name: 'East of England', kind: 'provider' })).toEqual([]);
    expect(newOrganisationProblems({ code: 'Q35', name: 'An SHA', kind: 'region' })[0]?.rule).toBe(
      'addable-kind',
    );
  });
});
