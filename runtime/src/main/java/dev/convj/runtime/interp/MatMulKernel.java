package dev.convj.runtime.interp;

import dev.convj.graph.Shape;
import dev.convj.runtime.Tensor;

/** Reference kernels for dense layers and matrix products. */
final class MatMulKernel {
    private MatMulKernel() {}

    /** y[n,j] = b[j] + Σ_i x[n,i] · w[j,i]  (PyTorch's linear). */
    static Tensor dense(Tensor x, Tensor w, Tensor bias, Shape outShape) {
        Tensor y = matmul(x, w, false, true, outShape);
        if (bias == null) {
            return y;
        }
        double[] v = y.data();
        int out = outShape.dim(1);
        for (int i = 0; i < v.length; i++) {
            v[i] += bias.get(i % out);
        }
        return Tensor.wrap(outShape, v);
    }

    /** c[i,j] = Σ_k op(a)[i,k] · op(b)[k,j]. */
    static Tensor matmul(Tensor a, Tensor b, boolean transposeA, boolean transposeB, Shape outShape) {
        int m = outShape.dim(0), n = outShape.dim(1);
        int k = a.shape().dim(transposeA ? 0 : 1);
        int aCols = a.shape().dim(1), bCols = b.shape().dim(1);
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double acc = 0;
                for (int t = 0; t < k; t++) {
                    double av = transposeA ? a.get(t * aCols + i) : a.get(i * aCols + t);
                    double bv = transposeB ? b.get(j * bCols + t) : b.get(t * bCols + j);
                    acc += av * bv;
                }
                c[i * n + j] = acc;
            }
        }
        return Tensor.wrap(outShape, c);
    }
}
