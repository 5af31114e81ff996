import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { api } from '../api';
import type { District, Location, Region } from '../api-types';
import { EnglandMap, type MapPoint } from './EnglandMap';

// Ten regions, ten colours that stay distinguishable for common colour-vision deficiencies (Tableau 10).
const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

export function Geography() {
  const [districts, setDistricts] = useState<District[]>([]);
  const [regions, setRegions] = useState<Region[]>([]);
  const [postcode, setPostcode] = useState('');
  const [result, setResult] = useState<Location | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api<District[]>('/api/geography/districts').then(setDistricts, (e: Error) => setError(e.message));
    api<Region[]>('/api/geography/regions').then(setRegions, (e: Error) => setError(e.message));
  }, []);

  const colourOf = useMemo(
    () => new Map(regions.map((r, i) => [r.code, PALETTE[i % PALETTE.length] ?? '#888'])),
    [regions],
  );
  const points: MapPoint[] = useMemo(
    () =>
      districts.map((d) => ({
        id: d.outcode,
        latitude: d.latitude,
        longitude: d.longitude,
        colour: colourOf.get(d.regionCode) ?? '#888',
        title: `${d.outcode} · ${d.areaCode}`,
      })),
    [districts, colourOf],
  );

  const lookUp = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setResult(null);
    try {
      setResult(await api<Location>(`/api/geography/postcodes/${encodeURIComponent(postcode)}`));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  return (
    <section className="two-columns">
      <div>
        <h1>Geography</h1>
        <form onSubmit={lookUp} className="inline-form">
          <label>
            Postcode
            <input
              name="postcode"
              value={postcode}
              onChange={(e) => setPostcode(e.target.value)}
              placeholder="LU1 3JU"
            />
          </label>
          <button type="submit">Look up</button>
        </form>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        {result && (
          <dl className="facts" aria-label="Postcode location">
            <dt>Postcode</dt>
            <dd>
              {result.query}{' '}
              <span className="muted">
                (placed by {result.basis}, {result.confidence} confidence)
              </span>
            </dd>
            <dt>District</dt>
            <dd>{result.district.outcode}</dd>
            <dt>Area (PCT)</dt>
            <dd>
              {result.area.name} <code>{result.area.code}</code>
            </dd>
            <dt>Region (SHA)</dt>
            <dd>
              {result.region.name} <code>{result.region.code}</code>
            </dd>
            <dt>Ambulance trust</dt>
            <dd>
              {result.ambulanceTrust.name} <code>{result.ambulanceTrust.code}</code>
            </dd>
          </dl>
        )}
        <h2>Strategic health authorities</h2>
        <ul className="legend">
          {regions.map((r) => (
            <li key={r.code}>
              <span className="swatch" style={{ background: colourOf.get(r.code) }} />
              {r.name} <span className="muted">({r.areaCount} areas)</span>
            </li>
          ))}
        </ul>
      </div>
      <EnglandMap
        points={points}
        highlight={result?.district.outcode}
        label="Map of England's postcode districts by strategic health authority"
      />
    </section>
  );
}
