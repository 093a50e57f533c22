/** Code page 437 (the OEM default of a WinRS shell), upper half 0x80–0xFF. */
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╪╫╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

/** Encodes text the way a shell with this code page writes it: 65001 = UTF-8, 437 = OEM (unmappable → `?`). */
export function encodeForCodepage(text: string, codepage: number): Buffer {
  if (codepage !== 437) return Buffer.from(text, 'utf8');
  const bytes: number[] = [];
  for (const character of text) {
    const code = character.codePointAt(0) ?? 0x3f;
    if (code < 0x80) bytes.push(code);
    else {
      const index = CP437_HIGH.indexOf(character);
      bytes.push(index < 0 ? 0x3f : 0x80 + index);
    }
  }
  return Buffer.from(bytes);
}
