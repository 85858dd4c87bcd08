/**
 * Bech32 (BIP 173) as age uses it for keys: no length limit, case preserved in
 * the returned prefix so callers can demand `age` or `AGE-SECRET-KEY-` exactly.
 * Decoding returns null rather than throwing, so no error can echo a key.
 */

const CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const GENERATOR = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3] as const;

function polymod(values: readonly number[]): number {
  let chk = 1;
  for (const value of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ value;
    for (let i = 0; i < 5; i++) {
      if ((top >>> i) & 1) chk ^= GENERATOR[i] ?? 0;
    }
  }
  return chk >>> 0;
}

function expandPrefix(prefix: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < prefix.length; i++) out.push(prefix.charCodeAt(i) >> 5);
  out.push(0);
  for (let i = 0; i < prefix.length; i++) out.push(prefix.charCodeAt(i) & 31);
  return out;
}

/** Regroups bits; `pad` false enforces BIP 173's rule on leftover bits. */
function regroup(data: ArrayLike<number>, from: number, to: number, pad: boolean): number[] | null {
  let acc = 0;
  let bits = 0;
  const out: number[] = [];
  const mask = (1 << to) - 1;
  for (let i = 0; i < data.length; i++) {
    acc = (acc << from) | (data[i] ?? 0);
    bits += from;
    while (bits >= to) {
      bits -= to;
      out.push((acc >>> bits) & mask);
    }
    acc &= (1 << bits) - 1;
  }
  if (pad) {
    if (bits > 0) out.push((acc << (to - bits)) & mask);
  } else if (bits >= from || acc !== 0) {
    return null;
  }
  return out;
}

/** Encodes bytes as lowercase bech32 with the given human-readable prefix. */
export function encodeBech32(prefix: string, bytes: Uint8Array): string {
  const lower = prefix.toLowerCase();
  const words = regroup(bytes, 8, 5, true) ?? [];
  const mod = polymod([...expandPrefix(lower), ...words, 0, 0, 0, 0, 0, 0]) ^ 1;
  let out = `${lower}1`;
  for (const w of words) out += CHARSET.charAt(w);
  for (let i = 0; i < 6; i++) out += CHARSET.charAt((mod >>> (5 * (5 - i))) & 31);
  return out;
}

/**
 * Decodes a bech32 string. Returns the prefix in the case it was written and
 * the payload bytes, or null for anything off-spec (mixed case, bad checksum,
 * bad characters, non-zero padding).
 */
export function decodeBech32(text: string): { prefix: string; bytes: Uint8Array } | null {
  const lower = text.toLowerCase();
  if (text !== lower && text !== text.toUpperCase()) return null;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 33 || c > 126) return null;
  }
  const sep = lower.lastIndexOf("1");
  if (sep < 1 || lower.length - sep - 1 < 6) return null;
  const prefix = lower.slice(0, sep);
  const words: number[] = [];
  for (const ch of lower.slice(sep + 1)) {
    const w = CHARSET.indexOf(ch);
    if (w < 0) return null;
    words.push(w);
  }
  if (polymod([...expandPrefix(prefix), ...words]) !== 1) return null;
  const bytes = regroup(words.slice(0, -6), 5, 8, false);
  if (bytes === null) return null;
  return { prefix: text.slice(0, sep), bytes: Uint8Array.from(bytes) };
}
