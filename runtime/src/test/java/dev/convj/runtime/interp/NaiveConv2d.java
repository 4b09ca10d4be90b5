package dev.convj.runtime.interp;

import dev.convj.graph.Shape;
import dev.convj.runtime.ConvCase;
import dev.convj.runtime.Tensor;

/**
 * Test oracles written the textbook way, independent of the interpreter's index maps: 2-D convolution over an
 * explicitly zero-padded copy of the input, and the stride-1 transposed convolution as the lecture states it.
 */
final class NaiveConv2d {
    private NaiveConv2d() {}

    /** x padded with zeros: pl before and ph after each of the two spatial axes. */
    static double[][][][] pad(Tensor x, int plH, int phH, int plW, int phW) {
        int n = x.shape().dim(0), c = x.shape().dim(1), h = x.shape().dim(2), w = x.shape().dim(3);
        double[][][][] p = new double[n][c][h + plH + phH][w + plW + phW];
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                for (int i = 0; i < h; i++) {
                    for (int j = 0; j < w; j++) {
                        p[b][ch][i + plH][j + plW] = x.at(b, ch, i, j);
                    }
                }
            }
        }
        return p;
    }

    /** y[n,o,i,j] = b[o] + Σ_c Σ_a,b P[n, g·C/G + c, i·s + a·d, j·s + b·d] · w[o,c,a,b] with P the padded input. */
    static Tensor conv(ConvCase k, Tensor x, Tensor w, Tensor bias) {
        double[][][][] p = pad(x, k.padLow().get(0), k.padHigh().get(0), k.padLow().get(1), k.padHigh().get(1));
        Shape ys = k.expectedYShape();
        int sh = k.stride().get(0), sw = k.stride().get(1), dh = k.dilation().get(0), dw = k.dilation().get(1);
        double[] y = new double[ys.size()];
        int at = 0;
        for (int b = 0; b < ys.dim(0); b++) {
            for (int o = 0; o < ys.dim(1); o++) {
                int group = o / k.outPerGroup();
                for (int i = 0; i < ys.dim(2); i++) {
                    for (int j = 0; j < ys.dim(3); j++) {
                        double acc = bias == null ? 0 : bias.get(o);
                        for (int c = 0; c < k.inPerGroup(); c++) {
                            for (int a = 0; a < k.kernel().get(0); a++) {
                                for (int e = 0; e < k.kernel().get(1); e++) {
                                    acc += p[b][group * k.inPerGroup() + c][i * sh + a * dh][j * sw + e * dw]
                                            * w.at(o, c, a, e);
                                }
                            }
                        }
                        y[at++] = acc;
                    }
                }
            }
        }
        return Tensor.wrap(ys, y);
    }

    /**
     * dL/dX of a stride-1 convolution literally: pad dy by d(k−1) on every side, correlate with the 180°-rotated
     * (dilated) filter, channels swapped within each group, then crop the forward padding (p_low before, p_high
     * after).
     */
    static Tensor transposeStride1(ConvCase k, Tensor dy, Tensor w) {
        int kh = k.kernel().get(0), kw = k.kernel().get(1), dh = k.dilation().get(0), dw = k.dilation().get(1);
        double[][][][] p = pad(dy, dh * (kh - 1), dh * (kh - 1), dw * (kw - 1), dw * (kw - 1));
        int n = dy.shape().dim(0), o = dy.shape().dim(1);
        int fullH = dy.shape().dim(2) + dh * (kh - 1), fullW = dy.shape().dim(3) + dw * (kw - 1);
        Shape xs = k.xShape();
        double[] dx = new double[xs.size()];
        int at = 0;
        for (int b = 0; b < n; b++) {
            for (int c = 0; c < xs.dim(1); c++) {
                int group = c / k.inPerGroup(), local = c % k.inPerGroup();
                double[][] full = new double[fullH][fullW];
                for (int i = 0; i < fullH; i++) {
                    for (int j = 0; j < fullW; j++) {
                        for (int oc = group * k.outPerGroup(); oc < (group + 1) * k.outPerGroup(); oc++) {
                            for (int a = 0; a < kh; a++) {
                                for (int e = 0; e < kw; e++) {
                                    double rotated = w.at(oc, local, kh - 1 - a, kw - 1 - e);
                                    full[i][j] += p[b][oc][i + a * dh][j + e * dw] * rotated;
                                }
                            }
                        }
                    }
                }
                for (int i = 0; i < xs.dim(2); i++) {
                    for (int j = 0; j < xs.dim(3); j++) {
                        dx[at++] = full[i + k.padLow().get(0)][j + k.padLow().get(1)];
                    }
                }
            }
        }
        return Tensor.wrap(xs, dx);
    }
}
