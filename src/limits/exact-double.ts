/**
 * Whether the decimal `integer` is kept as sent when read as a double: a double holds it exactly, or
 * the double it reads as is written back as the same text (a client holding a large double,
 * JavaScript's for one, sends its shortest text, `18446744073709552000`, which is not the double's
 * exact value). Past 310 digits neither holds (and BigInt would take long to read it). Shared by the
 * server and the CLI, so that both keep the same integers.
 */
export function isExactInteger(integer: string): boolean {
  const value = Number(integer);
  if (Number.isSafeInteger(value)) return true;
  return integer.length <= 310 && Number.isFinite(value) && (BigInt(integer) === BigInt(value) || String(value) === integer);
}
