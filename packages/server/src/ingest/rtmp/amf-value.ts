/** A decoded AMF value (AMF0 or AMF3), as plain JavaScript data. */
export type AmfValue =
  | number
  | boolean
  | string
  | null
  | undefined
  | Date
  | AmfValue[]
  | { [key: string]: AmfValue };

/** defineProperty, not assignment: a key named "__proto__" must stay a plain property. */
export function defineValue(
  object: { [key: string]: AmfValue },
  key: string,
  value: AmfValue,
): void {
  Object.defineProperty(object, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}
