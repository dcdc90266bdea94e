/** Small text helpers for the page. */
export const hex = (n: number) => '0x' + n.toString(16);

export function bytes(n: number): string {
  const units = ['B', 'K', 'M', 'G', 'T'];
  let i = 0;
  while (n >= 1024 && n % 1024 === 0 && i < units.length - 1) { n /= 1024; i++; }
  return `${n}${units[i]}`;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * A value as JSON with a space after every comma and colon (`{"node": 1, "zone": "Normal"}`), so a
 * narrow panel breaks its lines between fields, never inside a number or a name.
 */
export function spaced(v: unknown): string {
  if (v === undefined) return '∅';
  if (Array.isArray(v)) return `[${v.map(spaced).join(', ')}]`;
  if (v !== null && typeof v === 'object') return `{${Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => `${JSON.stringify(k)}: ${spaced(x)}`).join(', ')}}`;
  return JSON.stringify(v) ?? String(v);
}

export function short(v: unknown): string {
  const s = spaced(v);
  return s.length > 160 ? s.slice(0, 157) + '…' : s;
}
