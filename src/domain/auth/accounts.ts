import type { FieldProblem } from '../errors';
import { isRole, ROLES } from './roles';

/**
 * The rules for a member of staff's account, the same whether an administrator adds it through the API
 * or on the command line. Pure: whether the username is free or the organisation exists is the store's
 * to say; this checks what can be checked from the input alone.
 */

/** Long enough to resist guessing at the lock-out's rate; a passphrase of a few words passes easily. */
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 200;

/** Lower case, so "Alex" and "alex" cannot be two people; no ":" (the CLI's own callers are `cli:…`). */
const USERNAME = /^[a-z0-9][a-z0-9._-]{1,63}$/;

/** ODS-style codes: capitals, digits and "-" (demo codes such as `5GC-ACUTE`). */
const ORGANISATION_CODE = /^[A-Z0-9][A-Z0-9-]{1,19}$/;

/** The kinds of organisation an administrator may add: commissioners come from the health geography. */
export const ADDABLE_ORGANISATION_KINDS = ['provider'] as const;

export interface NewAccount {
  readonly username: string;
  readonly displayName: string;
  readonly role: string;
  readonly organisationCode: string;
  readonly password: string;
}

export function passwordProblems(password: string, pointer = '/password'): FieldProblem[] {
  if (password.length < MIN_PASSWORD_LENGTH)
    return [
      {
        pointer,
        message: `The password is too short: use at least ${MIN_PASSWORD_LENGTH} characters (a few words make a good one).`,
        rule: 'password-min-length',
      },
    ];
  if (password.length > MAX_PASSWORD_LENGTH)
    return [
      {
        pointer,
        message: `The password is too long: use at most ${MAX_PASSWORD_LENGTH} characters.`,
        rule: 'password-max-length',
      },
    ];
  return [];
}

/** What is wrong with a new account's details, in words an administrator can act on. */
export function newAccountProblems(account: NewAccount): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!USERNAME.test(account.username))
    problems.push({
      pointer: '/username',
      message:
        'A username is 2 to 64 characters: lower-case letters, digits, ".", "_" or "-", starting with a letter or digit.',
      rule: 'username-format',
    });
  const displayName = account.displayName.trim();
  if (displayName.length === 0 || displayName.length > 100)
    problems.push({
      pointer: '/displayName',
      message: 'Give the display name the person is known by (1 to 100 characters).',
      rule: 'display-name',
    });
  if (!isRole(account.role))
    problems.push({
      pointer: '/role',
      message: `There is no role "${account.role}": use one of ${ROLES.join(', ')}.`,
      rule: 'known-role',
    });
  if (!ORGANISATION_CODE.test(account.organisationCode))
    problems.push({
      pointer: '/organisation',
      message: `"${account.organisationCode}" is not an organisation code (capitals, digits and "-", e.g. RYC).`,
      rule: 'organisation-code',
    });
  problems.push(...passwordProblems(account.password));
  return problems;
}

export interface NewOrganisation {
  readonly code: string;
  readonly name: string;
  readonly kind: string;
}

export function newOrganisationProblems(organisation: NewOrganisation): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!ORGANISATION_CODE.test(organisation.code))
    problems.push({
      pointer: '/code',
      message: `"${organisation.code}" is not an organisation code: 2 to 20 capitals, digits or "-" (e.g. its ODS code, RYC).`,
      rule: 'organisation-code',
    });
  const name = organisation.name.trim();
  if (name.length === 0 || name.length > 200)
    problems.push({ pointer: '/name', message: 'Give the organisation its name (1 to 200 characters).' });
  if (!(ADDABLE_ORGANISATION_KINDS as readonly string[]).includes(organisation.kind))
    problems.push({
      pointer: '/kind',
      message: `Only provider organisations are added here ("kind": "provider"); commissioners and regions come from the health geography, not "${organisation.kind}".`,
      rule: 'addable-kind',
    });
  return problems;
}
