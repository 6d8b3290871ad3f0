/**
 * Per-window document state (the path Save writes to, what its session would lose on close) and the
 * recent-documents list behind File > Open Recent. The list is persisted through an injected store (a JSON file in userData)
 * and mirrored to the OS (app.addRecentDocument) through onAdd.
 */
import type { UnsavedWork } from '../engine/protocol.ts';
import type { Documents } from './ipc/handlers.ts';

export const MAX_RECENT = 10;

export interface RecentStore {
  load(): Promise<unknown>;
  save(list: string[]): Promise<void>;
}

export interface DocumentsOptions {
  store: RecentStore;
  defaultDir: string;
  /** Called after the list changed (rebuild the menu, tell the OS). */
  onChange?: (recent: readonly string[], added: string | null) => void;
  log?: (message: string) => void;
}

export class DocumentState implements Documents {
  private readonly paths = new Map<number, string>();
  private readonly unsavedWork = new Map<number, UnsavedWork>();
  /** Files offered to a window's renderer (lab:sessionOpened) that it has not opened yet. */
  private readonly offers = new Map<number, string>();
  private recent: string[] = [];

  constructor(private readonly options: DocumentsOptions) {}

  /** Load the persisted list; a missing or malformed store gives an empty list, never an error. */
  async load(): Promise<void> {
    try {
      const v = await this.options.store.load();
      this.recent = Array.isArray(v)
        ? v.filter((x): x is string => typeof x === 'string' && x.length < 4096).slice(0, MAX_RECENT)
        : [];
    } catch {
      this.recent = [];
    }
    this.options.onChange?.(this.recent, null);
  }

  get recentDocuments(): readonly string[] {
    return this.recent;
  }

  currentPath(ownerId: number): string | null {
    return this.paths.get(ownerId) ?? null;
  }

  setCurrentPath(ownerId: number, file: string | null): void {
    if (file === null) this.paths.delete(ownerId);
    else this.paths.set(ownerId, file);
  }

  forget(ownerId: number): void {
    this.paths.delete(ownerId);
    this.unsavedWork.delete(ownerId);
    this.offers.delete(ownerId);
  }

  /**
   * A file the OS asked to open (Open Recent, command line, macOS open-file), sent to the window's
   * renderer, which may decline it (the user keeps unsaved work): Save's target changes only when the
   * renderer accepts (acceptOffered), so a declined file is never overwritten by the session kept.
   */
  offer(ownerId: number, file: string): void {
    this.offers.set(ownerId, file);
  }

  acceptOffered(ownerId: number, file: string): boolean {
    if (this.offers.get(ownerId) !== file) return false;
    this.offers.delete(ownerId);
    this.setCurrentPath(ownerId, file);
    this.addRecent(file);
    return true;
  }

  setUnsaved(ownerId: number, work: UnsavedWork | null): void {
    if (work === null) this.unsavedWork.delete(ownerId);
    else this.unsavedWork.set(ownerId, work);
  }

  /** What the window's renderer last said its session would lose (null: nothing, or never said). */
  unsaved(ownerId: number): UnsavedWork | null {
    return this.unsavedWork.get(ownerId) ?? null;
  }

  addRecent(file: string): void {
    this.recent = [file, ...this.recent.filter((f) => f !== file)].slice(0, MAX_RECENT);
    this.persist();
    this.options.onChange?.(this.recent, file);
  }

  removeRecent(file: string): void {
    this.recent = this.recent.filter((f) => f !== file);
    this.persist();
    this.options.onChange?.(this.recent, null);
  }

  clearRecent(): void {
    this.recent = [];
    this.persist();
    this.options.onChange?.(this.recent, null);
  }

  defaultDir(): string {
    return this.options.defaultDir;
  }

  private persist(): void {
    this.options.store
      .save([...this.recent])
      .catch((e: unknown) => this.options.log?.(`cannot save the recent-documents list: ${String(e)}`));
  }
}
