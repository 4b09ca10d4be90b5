package dev.convj.runtime.interp;

import dev.convj.graph.DType;
import dev.convj.graph.Shape;
import dev.convj.runtime.Tensor;

/** Reference kernels of softmax, log-softmax and the losses built on them. */
final class SoftmaxKernel {
    private SoftmaxKernel() {}

    /** Softmax or log-softmax along {@code axis}, with the maximum subtracted so that exp never overflows. */
    static Tensor softmax(Tensor x, int axis, boolean log) {
        Shape s = x.shape();
        int extent = s.dim(axis), stride = s.strides()[axis];
        int outer = s.size() / (extent * stride);
        double[] y = new double[s.size()];
        for (int o = 0; o < outer; o++) {
            for (int in = 0; in < stride; in++) {
                int base = o * extent * stride + in;
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < extent; k++) {
                    max = Math.max(max, x.get(base + k * stride));
                }
                double sum = 0;
                for (int k = 0; k < extent; k++) {
                    sum += Math.exp(x.get(base + k * stride) - max);
                }
                double logSum = Math.log(sum);
                for (int k = 0; k < extent; k++) {
                    double shifted = x.get(base + k * stride) - max;
                    y[base + k * stride] = log ? shifted - logSum : Math.exp(shifted) / sum;
                }
            }
        }
        return Tensor.wrap(s, y);
    }

    static Tensor oneHot(Tensor labels, int classes, String node) {
        int n = labels.size();
        double[] y = new double[n * classes];
        for (int i = 0; i < n; i++) {
            y[i * classes + label(labels, i, classes, node)] = 1;
        }
        return Tensor.wrap(Shape.of(n, classes), y);
    }

    /** mean over n of −log softmax(logits[n])[label[n]]. */
    static Tensor crossEntropy(Tensor logits, Tensor labels, String node) {
        int n = logits.shape().dim(0), k = logits.shape().dim(1);
        Tensor logp = softmax(logits, 1, true);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum -= logp.get(i * k + label(labels, i, k, node));
        }
        return Tensor.scalar(sum / n);
    }

    private static int label(Tensor labels, int i, int classes, String node) {
        double v = labels.get(i);
        int label = (int) v;
        if (label != v || label < 0 || label >= classes) {
            throw new dev.convj.graph.ShapeException(node + ": label " + dev.convj.graph.Fmt.num(v) + " at batch index "
                    + i + " is not a class index in [0, " + classes + ") (" + DType.I32.shortName() + " labels)");
        }
        return label;
    }
}
