/** Text for values at the limits of String and Memo columns (extremes.ts): pure. */

/**
 * The characters every long text is made of: multi-byte Latin, CJK, right-to-left, combining marks, emoji (surrogate
 * pairs, a ZWJ sequence, a flag), quotes of every kind, backslashes, JSON and HTML look-alikes, control characters
 * (tab, newline, carriage return, U+0001, U+001F, DEL) and the JavaScript line separators U+2028/U+2029.
 */
export const TRICKY_TEXT =
  'Zoë Ångström–Müller ß 中文 日本語 한국어 עברית العربية e\u0301 😀 👩‍👩‍👧 🇫🇷 ' +
  `"double" 'single' \`back\` “curly” «guillemets» \\ \\\\ C:\\path\\ {"json":1} </script> \${x} ` +
  '\t tab \n newline \r return \u0001 \u001f \u007f \u2028 \u2029 end';

/** `text` cut or repeated to exactly `length` UTF-16 code units, never leaving half of a surrogate pair at either end. */
export function fitLength(text: string, length: number): string {
  if (length <= 0 || text.length === 0) return '';
  let s = text.repeat(Math.ceil(length / text.length)).slice(0, length);
  if (/[\udc00-\udfff]/.test(s.charAt(0))) s = 'x' + s.slice(1);
  if (/[\ud800-\udbff]/.test(s.charAt(length - 1))) s = s.slice(0, -1) + 'x';
  return s;
}

/**
 * A text of exactly `length` UTF-16 code units (Dataverse counts MaxLength in those) made of {@link TRICKY_TEXT}
 * from position `offset` on.
 */
export function textOfLength(length: number, offset = 0): string {
  const start = offset % TRICKY_TEXT.length;
  return fitLength(TRICKY_TEXT.slice(start) + TRICKY_TEXT.slice(0, start), length);
}

