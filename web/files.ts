/**
 * Browser file I/O for the browser edition: downloads (save, CSV) and the open picker.
 * The picker is one persistent hidden <input type=file> (data-testid="session-file-input"), so UI tests
 * can answer it with Playwright's file chooser.
 */

/** Starts a download of `data` named `fileName`. */
export function download(data: Uint8Array | string | string[], fileName: string, mime: string): void {
  // string[]: text in chunks (a large CSV is longer than any one JS string can be).
  const parts: BlobPart[] =
    typeof data === 'string' ? [data] : Array.isArray(data) ? data : [data as Uint8Array<ArrayBuffer>];
  const url = URL.createObjectURL(new Blob(parts, { type: mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // Revoke later: the download reads the blob asynchronously.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

let picker: HTMLInputElement | null = null;

function sessionPicker(): HTMLInputElement {
  if (picker) return picker;
  picker = document.createElement('input');
  picker.type = 'file';
  picker.accept = '.msgpack,application/x-msgpack,application/octet-stream';
  picker.hidden = true;
  picker.dataset.testid = 'session-file-input';
  document.body.append(picker);
  return picker;
}

/** Asks the user for one file; null when they cancel. Must be called from a user gesture. */
export function pickFile(): Promise<File | null> {
  const input = sessionPicker();
  input.value = '';
  return new Promise((resolve) => {
    const done = (file: File | null) => {
      input.removeEventListener('change', onChange);
      input.removeEventListener('cancel', onCancel);
      resolve(file);
    };
    const onChange = () => done(input.files?.[0] ?? null);
    const onCancel = () => done(null);
    input.addEventListener('change', onChange);
    input.addEventListener('cancel', onCancel);
    input.click();
  });
}

/** "name.msgpack" for a user-typed name (Save As). */
export function withExtension(name: string, ext: string): string {
  const trimmed = name.trim().replace(/[\\/:*?"<>|]+/g, '_') || 'session';
  return trimmed.toLowerCase().endsWith(`.${ext}`) ? trimmed : `${trimmed}.${ext}`;
}
