import { InvalidArgumentError } from "commander";

/** Parses an integer flag, with a one-line error naming the value. */
export function parseInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`"${value}" is not an integer`);
  return n;
}
