/**
 * Exact decimal conversions for prices. OpenRouter quotes USD per token as decimal strings
 * (`"0.00000015"`); multiplying the float by 1e6 gives 0.15000000000000002. Shifting the decimal point on
 * the digits and parsing once gives the double nearest the true decimal, exactly what a literal `0.15` is.
 */

const decimalPattern = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Moves the decimal point of a decimal string `places` to the right (left when negative); undefined when not a number. */
export function shiftDecimal(text: string, places: number): string | undefined {
  const match = decimalPattern.exec(text.trim());
  if (match === null) return undefined;
  const [, sign = '', integerPart = '', fractionPart = '', exponentText] = match;
  if (integerPart === '' && fractionPart === '') return undefined;
  const exponent = exponentText === undefined ? 0 : Number(exponentText);
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > 400) return undefined;
  const digits = integerPart + fractionPart;
  const point = integerPart.length + exponent + places;
  let shifted: string;
  if (point <= 0) shifted = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) shifted = digits + '0'.repeat(point - digits.length);
  else shifted = `${digits.slice(0, point)}.${digits.slice(point)}`;
  shifted = shifted.replace(/^0+(?=\d)/, '');
  if (shifted.includes('.')) shifted = shifted.replace(/0+$/, '').replace(/\.$/, '');
  return sign === '-' && /[1-9]/.test(shifted) ? `-${shifted}` : shifted;
}

/** A decimal string or number shifted `places` to the right, as a number; undefined when not a number. */
export function shiftDecimalNumber(value: string | number, places: number): number | undefined {
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value;
  const shifted = shiftDecimal(text, places);
  if (shifted === undefined) return undefined;
  const result = Number(shifted);
  return Number.isFinite(result) ? result : undefined;
}

/**
 * USD per million tokens from a USD-per-token string. Undefined for a missing or malformed price and for
 * negative prices (OpenRouter's router pseudo-models quote `"-1"`: "depends on the model picked").
 */
export function parsePerTokenPrice(perToken: string | number | undefined | null): number | undefined {
  if (perToken === undefined || perToken === null) return undefined;
  const perMillion = shiftDecimalNumber(perToken, 6);
  if (perMillion === undefined || perMillion < 0) return undefined;
  return perMillion;
}
