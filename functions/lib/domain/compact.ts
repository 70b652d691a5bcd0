/** Drops keys whose value is undefined, so optional fields are absent rather than `undefined`. */
export const compact = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
