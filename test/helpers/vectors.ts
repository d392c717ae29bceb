/** The shared signing vectors made with Python's json + hmac. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SigningVector {
  name: string;
  token: string;
  wire: string;
  canonical: string;
  valid: boolean;
}

export const SHARED_DIR = join(import.meta.dirname, '..', '..', '..', 'shared');

export function loadVectors(): SigningVector[] {
  const file = join(SHARED_DIR, 'vectors', 'event-signing-v1.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { vectors: SigningVector[] }).vectors;
}
