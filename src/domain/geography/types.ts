/** A strategic health authority (SHA), 2011–2013: the regional tier above the PCTs. */
export interface Region {
  readonly code: string; // ODS code, Q30–Q39
  readonly onsCode: string; // E18…
  readonly name: string;
  readonly orgName: string;
}

export type AreaKind = 'pct' | 'care_trust';

/** A commissioning area: a primary care trust (PCT) or care trust, where 111 was commissioned. */
export interface Area {
  readonly code: string; // 3-character ODS code, e.g. 5GC Luton
  readonly onsCode: string;
  readonly name: string;
  readonly kind: AreaKind;
  readonly regionCode: string;
  readonly ambulanceTrustCode: string;
  /** `partial` where another trust serves part of the area (e.g. north-east Hampshire). */
  readonly ambulanceCoverage: 'whole' | 'partial';
  /** Sum of the 2011 census population of the postcode districts assigned to the area. */
  readonly population2011: number;
}

export interface AmbulanceTrust {
  readonly code: string;
  readonly name: string;
  readonly shortName: string;
  /** ISO date or year; empty when not known. */
  readonly validFrom: string;
  /** Last day of operation (ISO date), when the trust was merged or replaced. */
  readonly validTo: string | null;
  readonly successorCode: string | null;
}

/** How sure the reference data is that a district lies in its area (see content/README.md). */
export type Confidence = 'high' | 'medium' | 'low';

export interface PostcodeDistrict {
  readonly outcode: string;
  readonly latitude: number;
  readonly longitude: number;
  readonly population2011: number;
  readonly areaCode: string;
  readonly confidence: Confidence;
  readonly method: string;
}

/** A single full postcode loaded from the ONS Postcode Directory. */
export interface PostcodeRecord {
  readonly postcode: string; // normalised, "LU1 3JU"
  readonly latitude: number;
  readonly longitude: number;
  readonly areaCode: string;
}

/** Everything geography needs to resolve a location, loaded once and held in memory. */
export interface Geography {
  readonly regions: ReadonlyMap<string, Region>;
  readonly areas: ReadonlyMap<string, Area>;
  readonly ambulanceTrusts: ReadonlyMap<string, AmbulanceTrust>;
  readonly districts: ReadonlyMap<string, PostcodeDistrict>;
}

export interface Location {
  /** What was asked, normalised: "LU1 3JU" or "LU1". */
  readonly query: string;
  /** `postcode` when a full postcode was found in the ONS Postcode Directory, else `district`. */
  readonly basis: 'postcode' | 'district';
  readonly latitude: number;
  readonly longitude: number;
  readonly confidence: Confidence;
  readonly district: PostcodeDistrict;
  readonly area: Area;
  readonly region: Region;
  readonly ambulanceTrust: AmbulanceTrust;
}
