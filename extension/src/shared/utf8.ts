// UTF-8 for large strings. TextEncoder.encode is several times slower than encodeInto on a
// multi-megabyte string (Chromium, an 8 MB page's DOM: 133 ms against 33 ms), so encode into a
// buffer sized for the common all-ASCII case and grow it only when a wider character appears.

const encoder = new TextEncoder();

export function utf8(s: string): Uint8Array {
  let buf = new Uint8Array(s.length);
  const { read, written: first } = encoder.encodeInto(s, buf);
  let written = first;
  if (read < s.length) {
    // Each UTF-16 unit left takes at most three bytes (a surrogate pair, two units, takes four).
    const wide = new Uint8Array(written + (s.length - read) * 3);
    wide.set(buf.subarray(0, written));
    written += encoder.encodeInto(s.slice(read), wide.subarray(written)).written;
    buf = wide;
  }
  return written === buf.length ? buf : buf.slice(0, written);
}
