package dev.convj.runtime.interp;

import dev.convj.graph.Shape;
import dev.convj.graph.ops.ConvGeometry;
import dev.convj.runtime.Tensor;

/**
 * Reference kernels of the convolution family. All three use one index map: output position p and kernel tap q
 * read input position p·s − p_low + q·d (or nothing, in the zero padding). The forward pass gathers through it,
 * the transpose scatters back through it (its adjoint), and the weight gradient correlates through it.
 */
final class ConvKernel {
    private ConvKernel() {}

    /**
     * The index map: {@code inputAt[p][q]} is the flat input position, or −1 in the padding; {@code tileOf[p]} is the
     * flat tile (p mod t per axis) whose kernels output position p uses, always 0 for an ordinary convolution.
     */
    private record IndexMap(int[][] inputAt, int[] tileOf, int tiles, int inPositions, int outPositions,
                            int kernelPositions) {

        static IndexMap of(ConvGeometry g, int[] in, int[] out, int[] kernel, int[] tiles) {
            int r = in.length;
            int outPositions = SpatialIndex.product(out), kernelPositions = SpatialIndex.product(kernel);
            int[][] inputAt = new int[outPositions][kernelPositions];
            int[] tileOf = new int[outPositions];
            int[] p = new int[r], q = new int[r];
            for (int po = 0; po < outPositions; po++) {
                SpatialIndex.decode(po, out, p);
                for (int i = 0; i < r; i++) {
                    tileOf[po] = tileOf[po] * tiles[i] + p[i] % tiles[i];
                }
                for (int qk = 0; qk < kernelPositions; qk++) {
                    SpatialIndex.decode(qk, kernel, q);
                    int flat = 0;
                    for (int i = 0; i < r && flat >= 0; i++) {
                        int pos = p[i] * g.stride().get(i) - g.padLow().get(i) + q[i] * g.dilation().get(i);
                        flat = pos < 0 || pos >= in[i] ? -1 : flat * in[i] + pos;
                    }
                    inputAt[po][qk] = flat;
                }
            }
            return new IndexMap(inputAt, tileOf, SpatialIndex.product(tiles), SpatialIndex.product(in), outPositions,
                    kernelPositions);
        }

        /** Where the kernel of filter o, input channel ci (of cg) used at output position p starts in the weight. */
        int weightBase(int o, int p, int ci, int cg) {
            return ((o * tiles + tileOf[p]) * cg + ci) * kernelPositions;
        }
    }

    /**
     * y[n,o,p] = b[o, tile(p)] + Σ_c Σ_q x[n, group(o)·C/G + c, map(p,q)] · w[o, tile(p), c, q]; {@code tiles} is
     * all ones for an ordinary convolution (weight [O, C/G, *k], bias [O]).
     */
    static Tensor forward(Tensor x, Tensor w, Tensor bias, ConvGeometry g, int[] tiles, Shape outShape) {
        int n = x.shape().dim(0), c = x.shape().dim(1), o = w.shape().dim(0);
        int cg = c / g.groups(), og = o / g.groups();
        IndexMap m = IndexMap.of(g, spatial(x.shape()), spatial(outShape), kernel(w.shape(), tiles), tiles);
        double[] y = new double[outShape.size()];
        for (int b = 0; b < n; b++) {
            for (int oc = 0; oc < o; oc++) {
                int firstChannel = (oc / og) * cg;
                for (int p = 0; p < m.outPositions; p++) {
                    double acc = bias == null ? 0 : bias.get(oc * m.tiles + m.tileOf[p]);
                    for (int ci = 0; ci < cg; ci++) {
                        int xBase = (b * c + firstChannel + ci) * m.inPositions;
                        int wBase = m.weightBase(oc, p, ci, cg);
                        for (int q = 0; q < m.kernelPositions; q++) {
                            int at = m.inputAt[p][q];
                            if (at >= 0) {
                                acc += x.get(xBase + at) * w.get(wBase + q);
                            }
                        }
                    }
                    y[(b * o + oc) * m.outPositions + p] = acc;
                }
            }
        }
        return Tensor.wrap(outShape, y);
    }

    /**
     * The transpose: every dy[n,o,p] · w[o,c,q] is added back to the input position map(p,q) it was read from.
     * Gathered per input position this is the full convolution of the 180°-rotated filter with dy (dilated by
     * the stride, cropped by the padding): dL/dX.
     */
    static Tensor transpose(Tensor dy, Tensor w, Tensor bias, ConvGeometry g, int[] tiles, Shape outShape) {
        int n = dy.shape().dim(0), o = dy.shape().dim(1), c = outShape.dim(1);
        int cg = c / g.groups(), og = o / g.groups();
        IndexMap m = IndexMap.of(g, spatial(outShape), spatial(dy.shape()), kernel(w.shape(), tiles), tiles);
        double[] x = new double[outShape.size()];
        for (int b = 0; b < n; b++) {
            for (int oc = 0; oc < o; oc++) {
                int firstChannel = (oc / og) * cg;
                for (int p = 0; p < m.outPositions; p++) {
                    double d = dy.get((b * o + oc) * m.outPositions + p);
                    for (int ci = 0; ci < cg; ci++) {
                        int xBase = (b * c + firstChannel + ci) * m.inPositions;
                        int wBase = m.weightBase(oc, p, ci, cg);
                        for (int q = 0; q < m.kernelPositions; q++) {
                            int at = m.inputAt[p][q];
                            if (at >= 0) {
                                x[xBase + at] += d * w.get(wBase + q);
                            }
                        }
                    }
                }
            }
        }
        if (bias != null) {
            for (int i = 0; i < x.length; i++) {
                x[i] += bias.get((i / m.inPositions) % c);
            }
        }
        return Tensor.wrap(outShape, x);
    }

    /**
     * dw[o,tile,c,q] = Σ_n Σ_{p of that tile} x[n, group(o)·C/G + c, map(p,q)] · dy[n,o,p]: the correlation of x with
     * dy (one tile, the whole output, for an ordinary convolution).
     */
    static Tensor weightGrad(Tensor x, Tensor dy, ConvGeometry g, int[] tiles, Shape outShape) {
        int n = x.shape().dim(0), c = x.shape().dim(1), o = dy.shape().dim(1);
        int cg = c / g.groups(), og = o / g.groups();
        IndexMap m = IndexMap.of(g, spatial(x.shape()), spatial(dy.shape()), kernel(outShape, tiles), tiles);
        double[] dw = new double[outShape.size()];
        for (int oc = 0; oc < o; oc++) {
            int firstChannel = (oc / og) * cg;
            for (int ci = 0; ci < cg; ci++) {
                for (int b = 0; b < n; b++) {
                    int xBase = (b * c + firstChannel + ci) * m.inPositions;
                    int dyBase = (b * o + oc) * m.outPositions;
                    for (int p = 0; p < m.outPositions; p++) {
                        double d = dy.get(dyBase + p);
                        int wBase = m.weightBase(oc, p, ci, cg);
                        for (int q = 0; q < m.kernelPositions; q++) {
                            int at = m.inputAt[p][q];
                            if (at >= 0) {
                                dw[wBase + q] += x.get(xBase + at) * d;
                            }
                        }
                    }
                }
            }
        }
        return Tensor.wrap(outShape, dw);
    }

    /** One tile per axis: the layout of an ordinary convolution. */
    static int[] untiled(int spatialRank) {
        int[] ones = new int[spatialRank];
        java.util.Arrays.fill(ones, 1);
        return ones;
    }

    private static int[] spatial(Shape s) {
        return SpatialIndex.array(s.tail(2));
    }

    /** The kernel extents of a weight [O, C/G, *k] (tiles all 1) or [O, *t, C/G, *k]. */
    private static int[] kernel(Shape w, int[] tiles) {
        return SpatialIndex.array(w.tail(w.rank() == tiles.length + 2 ? 2 : tiles.length + 2));
    }
}
