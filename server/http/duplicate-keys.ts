// JSON.parse keeps the last of two equal keys; a gateway or a log reader may keep the first and
// see another request. The text is scanned once more after it parsed (so it is valid JSON) for
// a key repeated in one object, at any depth. Only strings are skipped and objects tracked: the
// scan is one pass with indexOf over strings, a small share of a POST's time.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const OPEN = 0x7b;
const CLOSE = 0x7d;

/** The index of the quote that closes the string opening at `start`. */
function stringEnd(text: string, start: number): number {
  let end = text.indexOf('"', start + 1);
  for (;;) {
    let backslashes = 0;
    while (text.charCodeAt(end - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
}

const isSpace = (code: number): boolean => code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;

/** The first key that appears twice in one object of `json` (valid JSON text); undefined when none does. */
export function duplicateKey(json: string): string | undefined {
  // A Set per object, not a list: an object of thousands of keys stays linear.
  const objects: Set<string>[] = [];
  for (let i = 0; i < json.length; i++) {
    const code = json.charCodeAt(i);
    if (code === OPEN) objects.push(new Set());
    else if (code === CLOSE) objects.pop();
    else if (code === QUOTE) {
      const end = stringEnd(json, i);
      let next = end + 1;
      while (isSpace(json.charCodeAt(next))) next++;
      if (json.charCodeAt(next) === COLON) {
        const raw = json.slice(i + 1, end);
        // `"a"` and `"\u0061"` are one key: escapes are compared decoded.
        const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
        const keys = objects[objects.length - 1];
        if (keys?.has(key)) return key;
        keys?.add(key);
      }
      i = end;
    }
  }
  return undefined;
}
