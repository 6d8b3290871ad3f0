/**
 * Files the user brings into the setup (split out of LabState, STYLE.md 14): a hardware preset, checked
 * by the host and added to the profiles; a trace file, parsed and kept by the host (its page ids never
 * reach the renderer). Reads and writes the LabState it is composed into.
 */
import type { LoadedTrace, Result } from '../../../engine/protocol.ts';
import type { LabState } from './lab.svelte.ts';
import { hardwareImport } from '../lib/hardware.ts';

/** Same value as TRACE_MAX_BYTES in engine/protocol.ts: a bigger file is refused before it is read. */
const TRACE_MAX_BYTES = 256 * 1024 * 1024;

export class ImportActions {
  constructor(private readonly lab: LabState) {}

  async importHardware(file: File): Promise<void> {
    await this.lab.guard('Could not import the hardware preset', async () => {
      const text = await file.text();
      const r = await this.lab.api.importHardwarePreset(text, file.name);
      if (!r.ok) return this.lab.showError(`Invalid hardware preset “${file.name}”`, r.error);
      const verdict = hardwareImport(r.value, this.lab.catalog?.hardware ?? []);
      if (verdict.kind === 'clash')
        return this.lab.showError(`Hardware preset “${file.name}” not imported`, verdict.message);
      if (verdict.kind === 'builtin') {
        this.lab.selectHardware(r.value.id);
        this.lab.dismissError();
        this.lab.notice = `“${file.name}” is the built-in profile “${r.value.name}”, unchanged: selected it.`;
        return;
      }
      this.lab.extraHardware = [...this.lab.extraHardware.filter((h) => h.id !== r.value.id), r.value];
      this.lab.selectHardware(r.value.id);
      this.lab.dismissError(); // a stale error (e.g. of an earlier bad import) no longer applies
      this.lab.notice = `Imported hardware profile “${r.value.name}”.`;
    });
  }

  /**
   * Reads a trace file and has the host parse and keep it (LabApi.loadTrace). The result (name, counts,
   * or the error naming the problem) is for the workload editor that asked, which shows it in place.
   */
  async loadTrace(file: File): Promise<Result<LoadedTrace>> {
    try {
      if (file.size > TRACE_MAX_BYTES)
        return {
          ok: false,
          error: {
            name: 'TraceTooLarge',
            message: `${file.name}: trace file too large (${file.size} bytes, the limit is ${TRACE_MAX_BYTES})`,
          },
        };
      const r = await this.lab.api.loadTrace(new Uint8Array(await file.arrayBuffer()), file.name);
      if (r.ok) {
        this.lab.traces = [...this.lab.traces.filter((t) => t.name !== r.value.name), r.value];
        this.lab.notice = `Loaded trace “${r.value.name}” from ${file.name}.`;
      }
      return r;
    } catch (e) {
      return {
        ok: false,
        error: { name: 'TraceReadError', message: `${file.name}: ${e instanceof Error ? e.message : String(e)}` },
      };
    }
  }
}
