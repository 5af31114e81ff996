/** The console's one way to reach the API: bearer token, JSON in and out, problems as readable errors. */
const TOKEN_KEY = 'open111.token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly problems: { pointer: string; message: string; rule?: string }[] = [],
  ) {
    super(message);
  }
}

export const getToken = (): string | null => sessionStorage.getItem(TOKEN_KEY);
export const setToken = (token: string | null): void => {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
};

export async function api<T>(
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
  const token = getToken();
  if (token) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? null : JSON.stringify(init.body),
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const data: unknown = text ? JSON.parse(text) : undefined;
  if (!res.ok) {
    const p = (data ?? {}) as { detail?: string; problems?: ApiError['problems'] };
    throw new ApiError(res.status, p.detail ?? `The server answered ${res.status}.`, p.problems ?? []);
  }
  return data as T;
}

export type { Me } from './api-types';
