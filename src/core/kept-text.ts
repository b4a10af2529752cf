/**
 * A streamed text kept whole while it grows by a piece per chunk: a stream's answer, kept for a rescue and
 * read once if ever; a Responses item's text or a call's arguments, read when the item closes; a Gemini
 * call's arguments, read when the call is complete. The characters are written into a Buffer, off the
 * JavaScript heap, as UTF-8. Keeping the pieces as strings (`text += piece`, or pieces joined into blocks)
 * kept every piece of every open stream alive in the young generation: with thousands of open streams each
 * scavenge copied and promoted them, and every piece added a pointer from an old object to a young string.
 * Here a piece is dead once it is written.
 *
 * UTF-8 cannot carry a lone surrogate. A high surrogate that ends a piece is held back until the next
 * piece completes its pair; a piece that still holds a lone surrogate switches the store to UTF-16
 * (`utf16le`), which carries any string exactly, at two bytes a character.
 */
const initialBytes = 256;

type Encoding = 'utf8' | 'utf16le';

/** UTF-8 bytes of one UTF-16 code unit, at most; UTF-16's are two. */
const bytesPerUnit: Record<Encoding, number> = { utf8: 3, utf16le: 2 };

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** `String.prototype.isWellFormed` (ES2024; every supported Node.js has it). */
function isWellFormed(text: string): boolean {
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}

export class KeptText {
  readonly #limit: number;
  #bytes: Buffer | undefined;
  #used = 0;
  #encoding: Encoding = 'utf8';
  /** UTF-16 code units kept, the held surrogate included: what the limit counts. */
  #length = 0;
  #overflow = false;
  /** A high surrogate that ended the last piece, not yet written (UTF-8 only). */
  #heldSurrogate = '';
  /** The text as last read, until the next piece: a closed item is read by several events. */
  #read: string | undefined;

  /** `limit`: the most characters kept; a piece that would pass it ends the keeping (`overflow`). */
  constructor(limit = Number.POSITIVE_INFINITY) {
    this.#limit = limit;
  }

  /** The text passed the limit: the piece that would have passed it, and all after it, were dropped. */
  get overflow(): boolean {
    return this.#overflow;
  }

  /** Bytes written so far: one per ASCII character while the text stays UTF-8, two per unit after. */
  get bytesUsed(): number {
    return this.#used;
  }

  add(piece: string): void {
    if (this.#overflow || piece === '') return;
    if (this.#length + piece.length > this.#limit) {
      this.#overflow = true;
      return;
    }
    this.#length += piece.length;
    this.#read = undefined;
    if (this.#encoding === 'utf16le') {
      this.#write(piece);
      return;
    }
    let text = this.#heldSurrogate === '' ? piece : this.#heldSurrogate + piece;
    let held = '';
    if (isHighSurrogate(text.charCodeAt(text.length - 1))) {
      held = text.slice(-1);
      text = text.slice(0, -1);
    }
    if (!isWellFormed(text)) {
      // What is kept so far, with the surrogate held before this piece, goes over first.
      this.#switchToUtf16();
      this.#write(piece);
      return;
    }
    this.#heldSurrogate = held;
    if (text !== '') this.#write(text);
  }

  toString(): string {
    if (this.#read === undefined) {
      const written = this.#bytes === undefined ? '' : this.#bytes.toString(this.#encoding, 0, this.#used);
      this.#read = written + this.#heldSurrogate;
    }
    return this.#read;
  }

  /** Appends `text` in the current encoding, growing the buffer (doubling) when it might not fit. */
  #write(text: string): void {
    const most = text.length * bytesPerUnit[this.#encoding];
    const bytes = this.#bytes;
    if (bytes === undefined || this.#used + most > bytes.length) {
      const grown = Buffer.allocUnsafeSlow(
        Math.max(initialBytes, (bytes?.length ?? 0) * 2, this.#used + most),
      );
      bytes?.copy(grown, 0, 0, this.#used);
      this.#bytes = grown;
    }
    this.#used += (this.#bytes as Buffer).write(text, this.#used, this.#encoding);
  }

  /** Re-encodes what is kept as UTF-16, with the held surrogate; every later piece is written as it is. */
  #switchToUtf16(): void {
    const kept = this.toString();
    this.#read = undefined;
    this.#encoding = 'utf16le';
    this.#bytes = undefined;
    this.#used = 0;
    this.#heldSurrogate = '';
    if (kept !== '') this.#write(kept);
  }
}
