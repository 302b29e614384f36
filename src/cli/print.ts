/** Prints a command's result: JSON with --json, else Node's inspection of it. */
export function print(out: unknown, json: boolean): void {
  if (json) console.log(JSON.stringify(out, null, 2));
  else console.dir(out, { depth: 5 });
}
