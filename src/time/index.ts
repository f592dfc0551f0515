export { bucketAtIndex } from "./bucket-at-index.js";
export {
  type Bucket,
  type Calendar,
  type CalendarOptions,
  createCalendar,
  MAX_INSTANT,
  MIN_INSTANT,
} from "./calendar.js";
export { parseDuration } from "./duration.js";
export {
  GRANULARITIES,
  type Granularity,
  granularityRange,
  isGranularity,
  nestsIn,
  parseGranularity,
  rankOf,
  type WeekStart,
} from "./granularity.js";
export { type InstantInput, parseInstant } from "./instant.js";
export { validateTimeZone, type ZoneOffsets, zoneOffsets } from "./zone.js";
