/**
 * Progress bar on stderr, only when stderr is a terminal (never when piped or with --json), redrawn
 * in place with \r and at most every 100 ms.
 */
export class ProgressBar {
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly write: (s: string) => void,
    private readonly enabled: boolean,
    private readonly width = 30,
  ) {}

  update(label: string, fraction: number, now = Date.now()): void {
    if (!this.enabled || (now - this.lastDraw < 100 && fraction < 1)) return;
    this.lastDraw = now;
    const f = Math.min(1, Math.max(0, fraction));
    const filled = Math.round(f * this.width);
    this.write(
      `\r[${'#'.repeat(filled)}${'-'.repeat(this.width - filled)}] ${(f * 100).toFixed(0).padStart(3)}%  ${label}\x1b[K`,
    );
    this.drawn = true;
  }

  done(): void {
    if (this.enabled && this.drawn) this.write('\r\x1b[K');
    this.drawn = false;
  }
}
