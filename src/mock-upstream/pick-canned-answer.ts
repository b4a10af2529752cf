/**
 * Canned coding answers for models that were given no `answer`. A prompt naming a language gets an answer
 * in it; any other prompt gets one chosen by hash, so the same prompt always gets the same answer.
 */
import { stableHash } from './model-script.js';

interface CannedAnswer {
  keywords: readonly string[];
  text: string;
}

const fence = '```';

const cannedAnswers: readonly CannedAnswer[] = [
  {
    keywords: ['typescript', ' ts ', '.ts', 'javascript', 'node'],
    text: [
      'Here is a small, typed helper that removes duplicates while keeping the first occurrence:',
      '',
      `${fence}ts`,
      'export function unique<T>(items: readonly T[]): T[] {',
      '  const seen = new Set<T>();',
      '  const result: T[] = [];',
      '  for (const item of items) {',
      '    if (seen.has(item)) continue;',
      '    seen.add(item);',
      '    result.push(item);',
      '  }',
      '  return result;',
      '}',
      fence,
      '',
      'It runs in linear time and keeps the original order.',
    ].join('\n'),
  },
  {
    keywords: ['python', '.py', 'django', 'pandas'],
    text: [
      'A short Python function that counts word frequencies, case-insensitively:',
      '',
      `${fence}python`,
      'from collections import Counter',
      'import re',
      '',
      '',
      'def word_counts(text: str) -> dict[str, int]:',
      '    words = re.findall(r"[a-z\']+", text.lower())',
      '    return dict(Counter(words))',
      fence,
      '',
      '`Counter` does the counting; the regular expression keeps apostrophes inside words.',
    ].join('\n'),
  },
  {
    keywords: ['golang', ' go ', '.go'],
    text: [
      'In Go, reverse a string by runes so multi-byte characters survive:',
      '',
      `${fence}go`,
      'func Reverse(s string) string {',
      '\tr := []rune(s)',
      '\tfor i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {',
      '\t\tr[i], r[j] = r[j], r[i]',
      '\t}',
      '\treturn string(r)',
      '}',
      fence,
    ].join('\n'),
  },
  {
    keywords: ['rust', 'cargo', '.rs'],
    text: [
      'A Rust function that returns the largest element, or `None` for an empty slice:',
      '',
      `${fence}rust`,
      'pub fn largest<T: PartialOrd + Copy>(items: &[T]) -> Option<T> {',
      '    let mut iter = items.iter().copied();',
      '    let first = iter.next()?;',
      '    Some(iter.fold(first, |best, item| if item > best { item } else { best }))',
      '}',
      fence,
    ].join('\n'),
  },
  {
    keywords: ['sql', 'postgres', 'query'],
    text: [
      'This query returns each customer with their total spend, largest first:',
      '',
      `${fence}sql`,
      'SELECT c.id, c.name, COALESCE(SUM(o.total), 0) AS spend',
      'FROM customers AS c',
      'LEFT JOIN orders AS o ON o.customer_id = c.id',
      'GROUP BY c.id, c.name',
      'ORDER BY spend DESC;',
      fence,
    ].join('\n'),
  },
  {
    keywords: ['bash', 'shell', 'script'],
    text: [
      'A shell one-liner that lists the ten largest files under the current directory:',
      '',
      `${fence}bash`,
      'find . -type f -printf "%s %p\\n" | sort -rn | head -n 10',
      fence,
    ].join('\n'),
  },
];

// Only the end of a long prompt is read: the question is there, and the cost stays flat.
const promptTailCharacters = 2_000;

/** The canned answer for a prompt: by the language it names, else by a hash of its text. */
export function pickCannedAnswer(prompt: string): string {
  const padded = ` ${prompt.slice(-promptTailCharacters).toLowerCase()} `;
  for (const answer of cannedAnswers) {
    if (answer.keywords.some((keyword) => padded.includes(keyword))) return answer.text;
  }
  return cannedAnswers[stableHash(prompt) % cannedAnswers.length]!.text;
}
