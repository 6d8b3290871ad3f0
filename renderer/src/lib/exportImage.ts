/** A chart canvas as PNG bytes, on the theme's background (a transparent PNG is unreadable in dark viewers). */
export async function canvasPng(canvas: HTMLCanvasElement, background: string): Promise<Uint8Array> {
  const out = document.createElement('canvas');
  out.width = canvas.width;
  out.height = canvas.height;
  const ctx = out.getContext('2d');
  if (!ctx) throw new Error('no 2D context to export the chart');
  ctx.fillStyle = background;
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.drawImage(canvas, 0, 0);
  const blob = await new Promise<Blob | null>((resolve) => out.toBlob(resolve, 'image/png'));
  if (!blob) throw new Error('the chart could not be encoded as PNG');
  return new Uint8Array(await blob.arrayBuffer());
}
