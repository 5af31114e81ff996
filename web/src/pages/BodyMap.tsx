import type { KeyboardEvent } from 'react';

/**
 * The body map: the adviser's other way in when the caller's words find nothing, as advisers use in
 * practice. Each region lists the pathways for that part of the body, most specific first; the Triage
 * screen keeps only those that fit the patient's age and sex. A child's map (under 16) has the pathways
 * for babies and children in place of the adults' ones.
 */
export interface BodyRegion {
  readonly id: string;
  readonly label: string;
  readonly pathways: readonly string[];
}

const ADULT: readonly BodyRegion[] = [
  {
    id: 'head',
    label: 'Head',
    pathways: ['headache', 'head-injury', 'confusion-drowsiness', 'dizziness-fainting', 'stroke-symptoms'],
  },
  { id: 'eyes', label: 'Eyes', pathways: ['eye-problems', 'eyelid-problems'] },
  { id: 'ears', label: 'Ears', pathways: ['earache'] },
  { id: 'nose', label: 'Nose', pathways: ['nose-sinus'] },
  { id: 'mouth', label: 'Mouth and throat', pathways: ['sore-throat', 'mouth-problems', 'dental-pain'] },
  {
    id: 'chest',
    label: 'Chest',
    pathways: ['chest-pain', 'breathing-problems', 'palpitations', 'cough-cold-flu'],
  },
  {
    id: 'abdomen',
    label: 'Tummy',
    pathways: ['abdominal-pain', 'diarrhoea-vomiting', 'constipation-bowel', 'yellow-skin'],
  },
  {
    id: 'pelvis',
    label: 'Pelvis and genitals',
    pathways: ['urinary-problems', 'genital-problems', 'pregnancy-problems'],
  },
  { id: 'back', label: 'Back', pathways: ['back-pain'] },
  {
    id: 'arms',
    label: 'Arms and hands',
    pathways: ['limb-injury', 'wounds-cuts', 'muscle-joint', 'burns'],
  },
  {
    id: 'legs',
    label: 'Legs and feet',
    pathways: ['leg-pain-swelling', 'limb-injury', 'muscle-joint', 'wounds-cuts', 'falls'],
  },
  {
    id: 'skin',
    label: 'Skin, all over',
    pathways: [
      'rash',
      'skin-infection',
      'dry-itchy-skin',
      'bites-stings',
      'allergic-reaction',
      'burns',
      'heat-sun',
      'bleeding',
    ],
  },
  {
    id: 'mind',
    label: 'Mind and medicines',
    pathways: ['self-harm', 'mental-health-crisis', 'poisoning-overdose', 'medicine-questions'],
  },
  { id: 'whole', label: 'Whole body: fever', pathways: ['fever-adults'] },
];

const CHILD_ONLY: Readonly<Record<string, readonly string[]>> = {
  abdomen: ['baby-feeding', 'abdominal-pain', 'diarrhoea-vomiting', 'constipation-bowel'],
  whole: ['fever-children', 'crying-baby', 'baby-feeding'],
};

/** The regions of the map for a patient of this age: a child's map under 16. */
export function bodyRegions(ageYears: number | null): readonly BodyRegion[] {
  if (ageYears === null || ageYears >= 16) return ADULT;
  return ADULT.map((r) => {
    const pathways = CHILD_ONLY[r.id];
    if (!pathways) return r;
    return { ...r, label: r.id === 'whole' ? 'Whole body: fever or crying' : r.label, pathways };
  });
}

/** Where each region sits on the outline (a 200 × 400 figure; the child's is the same, drawn smaller). */
const SHAPES: Readonly<Record<string, { readonly d: string; readonly label: [number, number] }>> = {
  head: { d: 'M100 8 a30 32 0 1 0 0.1 0 Z', label: [100, 24] },
  eyes: { d: 'M80 34 h40 v9 h-40 Z', label: [100, 41] },
  ears: { d: 'M64 38 h8 v16 h-8 Z M128 38 h8 v16 h-8 Z', label: [100, 58] },
  nose: { d: 'M95 45 h10 v10 h-10 Z', label: [100, 53] },
  mouth: { d: 'M84 58 h32 v18 h-32 Z', label: [100, 70] },
  chest: { d: 'M62 80 h76 v62 h-76 Z', label: [100, 114] },
  abdomen: { d: 'M66 144 h68 v50 h-68 Z', label: [100, 172] },
  pelvis: { d: 'M66 196 h68 v28 h-68 Z', label: [100, 214] },
  back: { d: 'M150 90 h38 v100 h-38 Z', label: [169, 142] },
  arms: { d: 'M34 84 h26 v130 h-26 Z M140 196 h26 v18 h-26 Z', label: [47, 150] },
  legs: { d: 'M68 228 h28 v160 h-28 Z M104 228 h28 v160 h-28 Z', label: [100, 312] },
  skin: { d: 'M4 250 h56 v40 h-56 Z', label: [32, 274] },
  mind: { d: 'M140 4 h56 v30 h-56 Z', label: [168, 23] },
  whole: { d: 'M140 250 h56 v40 h-56 Z', label: [168, 274] },
};

/** The clickable outline. `onChoose` gets the region; Enter or Space choose from the keyboard. */
export function BodyMap({
  ageYears,
  onChoose,
}: {
  readonly ageYears: number | null;
  readonly onChoose: (region: BodyRegion) => void;
}) {
  const regions = bodyRegions(ageYears);
  const child = ageYears !== null && ageYears < 16;
  const key = (region: BodyRegion) => (e: KeyboardEvent) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onChoose(region);
    }
  };
  return (
    <figure className="body-map" aria-label={child ? 'Body map (child)' : 'Body map (adult)'}>
      <svg viewBox="0 0 200 400" width={child ? 180 : 220}>
        <title>{child ? 'Body map (child)' : 'Body map (adult)'}</title>
        {regions.map((r) => {
          const shape = SHAPES[r.id];
          if (!shape) return null;
          return (
            // biome-ignore lint/a11y/useSemanticElements: an SVG region cannot be a <button>; it has the role, focus and keys of one.
            <g
              key={r.id}
              role="button"
              tabIndex={0}
              aria-label={r.label}
              className="body-region"
              data-region={r.id}
              onClick={() => onChoose(r)}
              onKeyDown={key(r)}
            >
              <path d={shape.d} />
              <text x={shape.label[0]} y={shape.label[1]} textAnchor="middle">
                {r.label.split(/[ ,:]/)[0]}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption className="muted">Or choose where the problem is.</figcaption>
    </figure>
  );
}
