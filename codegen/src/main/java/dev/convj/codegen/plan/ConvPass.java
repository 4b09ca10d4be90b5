package dev.convj.codegen.plan;

/** Which pass of a convolution a node computes. */
public enum ConvPass {
    /** y = conv(x, w): the op {@code Conv}. */
    FORWARD,
    /** dL/dx = conv_transpose(dL/dy, w): the op {@code ConvTranspose}, also a layer of its own. */
    INPUT_GRADIENT,
    /** dL/dw = correlate(x, dL/dy): the op {@code ConvWeightGrad}. */
    WEIGHT_GRADIENT
}
