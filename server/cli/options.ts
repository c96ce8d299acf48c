/**
 * `--name value` options among a command's words: the options asked for, and the other words in
 * order. A repeated or valueless option, or one the command does not take, is a problem to show.
 */
export function takeOptions(words: readonly string[], allowed: readonly string[]): { options: Record<string, string>; rest: string[]; problem?: string } {
  const options: Record<string, string> = {};
  const rest: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (!word.startsWith('--')) {
      rest.push(word);
      continue;
    }
    const name = word.slice(2);
    if (!allowed.includes(name)) return { options, rest, problem: `Unknown option "${word}".` };
    const value = words[i + 1];
    if (value === undefined || value.startsWith('--')) return { options, rest, problem: `"${word}" needs a value.` };
    if (name in options) return { options, rest, problem: `"${word}" is given twice.` };
    options[name] = value;
    i++;
  }
  return { options, rest };
}
