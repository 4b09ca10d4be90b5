package dev.convj.codegen.plan;

/**
 * The rows of K that each row of an implicit convolution's output grid can see (along the first spatial axis), with
 * K ordered band-major, (t0, c, t') for kernel row t0 and the rest t' of the tap: grid row i reads padded rows
 * i + t0, of which only [low, low + in) hold the image, so K rows [from[i], to[i]) = the kernel rows t0 that reach
 * them, × c, × t'. An empty band is [kg, 0). Stride 1 and dilation 1 along that axis.
 */
public record KernelBand(int[] from, int[] to) {

    public static KernelBand of(ConvDims d) {
        int rows = d.out().get(0), low = d.g().padLow().get(0), in = d.in().get(0), k0 = d.k().get(0);
        int perRow = d.kg() / k0; // K rows per kernel row: c × t'
        int[] from = new int[rows], to = new int[rows];
        for (int i = 0; i < rows; i++) {
            int first = Math.max(0, low - i), last = Math.min(k0 - 1, low + in - 1 - i);
            from[i] = first <= last ? first * perRow : d.kg();
            to[i] = first <= last ? (last + 1) * perRow : 0;
        }
        return new KernelBand(from, to);
    }

    /** Offset of band-major row (t0, c, t') of the column matrix from its window's corner. */
    public static int[] tapOffsets(ConvDims d, PaddedImage src) {
        int[] byChannel = src.tapOffsets(d); // (c, t) order
        int k0 = d.k().get(0), rest = d.taps() / k0, cg = d.cg();
        int[] offsets = new int[d.kg()];
        for (int t0 = 0, row = 0; t0 < k0; t0++) {
            for (int c = 0; c < cg; c++) {
                for (int t = 0; t < rest; t++, row++) {
                    offsets[row] = byChannel[c * d.taps() + t0 * rest + t];
                }
            }
        }
        return offsets;
    }
}
