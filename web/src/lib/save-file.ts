/**
 * Hands a downloaded file to the browser to save under `name`. The object URL is freed a minute
 * later: revoking it at once may cancel a save still starting.
 */
export function saveFile(blob: Blob, name: string): void {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
}
