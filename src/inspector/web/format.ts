/** Small text helpers for the page. */
export const hex = (n: number) => '0x' + n.toString(16);

export function bytes(n: number): string {
  const units = ['B', 'K', 'M', 'G', 'T'];
  let i = 0;
  while (n >= 1024 && n % 1024 === 0 && i < units.length - 1) { n /= 1024; i++; }
  return `${n}${units[i]}`;
}

/** "128M", "1G", "0x8000000", "4096" -> bytes. */
export function parseSize(s: string): number {
  const m = /^(0x[0-9a-f]+|\d+)([kmgt]?)$/i.exec(s.trim());
  if (!m) throw new Error(`not a size: ${JSON.stringify(s)} (use 128M, 1G, 0x8000000 or bytes)`);
  const base = Number(m[1]!.toLowerCase().startsWith('0x') ? parseInt(m[1]!, 16) : m[1]);
  const shift = { '': 0, k: 10, m: 20, g: 30, t: 40 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  return base * 2 ** shift;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

export function short(v: unknown): string {
  if (v === undefined) return '∅';
  const s = JSON.stringify(v);
  return s.length > 160 ? s.slice(0, 157) + '…' : s;
}
