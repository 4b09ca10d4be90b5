package dev.convj.dsl;

import dev.convj.graph.Node;
import java.util.List;

/** One layer of a {@link Network}: sugar that lowers to graph ops. */
public sealed interface Layer permits ConvLayer, PoolLayer, DenseLayer, ActivationLayer, FlattenLayer,
        ConvTransposeLayer, TiledConvLayer, GlobalPoolLayer, MaxoutLayer, UnaryOpLayer, ReshapeLayer, ParallelLayer,
        BatchNormLayer, DropoutLayer, NormalizeLayer, ResidualLayer, AffineLayer, PadLayer {

    /** The layer's name, also the name of its output node and the prefix of its parameters. */
    String name();

    /** What kind of layer it is, as shown in summaries and error messages, e.g. {@code conv2d}. */
    String kind();

    /** The prefix of default names: {@code conv} gives conv1, conv2, … */
    String namePrefix();

    Layer withName(String name);

    /** Adds the layer's parameters and ops after {@code input} and returns its output node. */
    Node lower(Lowering lowering, Node input);

    /** Checks the filter count and that the input has N, C and the layer's spatial axes. */
    static void checkConvInput(int filters, int spatialRank, Node input) {
        if (filters < 1) {
            throw new IllegalArgumentException("the number of filters must be ≥ 1, got " + filters);
        }
        if (input.shape().rank() != spatialRank + 2) {
            throw new IllegalArgumentException("expects an input of rank " + (spatialRank + 2) + " (N,C,spatial), got "
                    + input.typeString() + (input.shape().rank() == 2 ? " (a dense output; convolve before flatten)" : ""));
        }
    }

    /** Helpers shared by layers. */
    static List<Integer> perAxis(List<Integer> values, int rank, String what, String layer) {
        if (values.size() == 1) {
            return java.util.Collections.nCopies(rank, values.get(0));
        }
        if (values.size() != rank) {
            throw new IllegalArgumentException(layer + ": " + what + " " + values + " names " + values.size()
                    + " axes but the layer has " + rank + " spatial axes");
        }
        return List.copyOf(values);
    }
}
