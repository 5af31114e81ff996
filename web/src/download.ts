import { ApiError, getToken } from './api';

/** Fetches a CSV with the session's token and saves it under `filename` (a plain link would go unsigned). */
export async function downloadCsv(path: string, filename: string): Promise<void> {
  const token = getToken();
  const res = await fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!res.ok) {
    const text = await res.text();
    let detail = `The server answered ${res.status}.`;
    try {
      const p: { detail?: string } = JSON.parse(text);
      if (p.detail) detail = p.detail;
    } catch {
      // not a problem document: keep the status sentence
    }
    throw new ApiError(res.status, detail);
  }
  saveText(await res.text(), filename);
}

/** Saves text the page already holds (a table it shows) as a CSV file. */
export function saveText(text: string, filename: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  URL.revokeObjectURL(url);
}

const field = (v: string | number | null | undefined) => {
  const text = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/** A table's rows as CSV text. */
export const csvText = (rows: readonly (readonly (string | number | null | undefined)[])[]): string =>
  `${rows.map((r) => r.map(field).join(',')).join('\r\n')}\r\n`;
