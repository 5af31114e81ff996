export { areaCodeIndex, ONSPD_REQUIRED_COLUMNS, type OnspdRowResult, readOnspdRow } from './onspd';
export { type ParsedPostcode, parsePostcode } from './postcode';
export { ambulanceTrustOn, areaWithRegion, resolveLocation } from './resolve';
export type * from './types';
