import { useMemo } from 'react';

export interface MapPoint {
  readonly id: string;
  readonly latitude: number;
  readonly longitude: number;
  readonly colour: string;
  readonly title: string;
}

const WIDTH = 420;
const HEIGHT = 520;
// England's extent, with a margin; an equirectangular projection scaled by cos(latitude) is close enough
// at this size, and needs no tile server (the service must work offline).
const BOUNDS = { minLat: 49.85, maxLat: 55.9, minLon: -5.8, maxLon: 1.85 };

export function project(latitude: number, longitude: number): [number, number] {
  const k = Math.cos((((BOUNDS.minLat + BOUNDS.maxLat) / 2) * Math.PI) / 180);
  const w = (BOUNDS.maxLon - BOUNDS.minLon) * k;
  const h = BOUNDS.maxLat - BOUNDS.minLat;
  const scale = Math.min(WIDTH / w, HEIGHT / h);
  return [(longitude - BOUNDS.minLon) * k * scale, (BOUNDS.maxLat - latitude) * scale];
}

/** England drawn from postcode-district centroids: one dot per district, coloured by the caller's choice. */
export function EnglandMap({
  points,
  highlight,
  label,
}: {
  points: readonly MapPoint[];
  highlight?: string;
  label: string;
}) {
  const dots = useMemo(
    () =>
      points.map((p) => {
        const [x, y] = project(p.latitude, p.longitude);
        return { ...p, x, y };
      }),
    [points],
  );
  const hit = dots.find((d) => d.id === highlight);
  return (
    <svg className="map" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={label}>
      {dots.map((d) => (
        <circle key={d.id} cx={d.x} cy={d.y} r={2.2} fill={d.colour}>
          <title>{d.title}</title>
        </circle>
      ))}
      {hit && (
        <g data-testid="map-highlight">
          <circle cx={hit.x} cy={hit.y} r={9} fill="none" stroke="#111" strokeWidth={2.5} />
          <text x={hit.x + 12} y={hit.y + 4} fontSize={13} fontWeight={700}>
            {hit.id}
          </text>
        </g>
      )}
    </svg>
  );
}
