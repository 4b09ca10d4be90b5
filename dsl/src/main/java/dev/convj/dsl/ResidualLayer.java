package dev.convj.dsl;

import dev.convj.graph.Node;
import dev.convj.graph.ShapeException;
import dev.convj.graph.ops.Add;
import java.util.List;

/**
 * A residual block: {@code body(x) + shortcut(x)}, where an empty shortcut is the identity. Its layers are named
 * {@code name.body.<layer>} and {@code name.shortcut.<layer>}; the join is one {@link Add} named after the block,
 * so autodiff hands the block's input the sum of both branches' gradients.
 */
public record ResidualLayer(String name, List<Layer> body, List<Layer> shortcut) implements Layer {

    public ResidualLayer {
        body = List.copyOf(body);
        shortcut = List.copyOf(shortcut);
        if (body.isEmpty()) {
            throw new IllegalArgumentException("the body needs at least one layer");
        }
    }

    /** Prefixes the layers of the body and of the shortcut with this block's name. */
    static ResidualLayer of(String name, List<Layer> body, List<Layer> shortcut) {
        return new ResidualLayer(name, prefixed(name + ".body.", body), prefixed(name + ".shortcut.", shortcut));
    }

    private static List<Layer> prefixed(String prefix, List<Layer> layers) {
        return layers.stream().map(l -> l.withName(prefix + l.name())).toList();
    }

    @Override
    public String kind() {
        return "residual";
    }

    @Override
    public String namePrefix() {
        return "res";
    }

    @Override
    public Layer withName(String newName) {
        return new ResidualLayer(newName, renamed(newName, body), renamed(newName, shortcut));
    }

    private List<Layer> renamed(String newName, List<Layer> layers) {
        return layers.stream().map(l -> l.withName(newName + l.name().substring(name.length()))).toList();
    }

    @Override
    public Node lower(Lowering lowering, Node input) {
        Node main = input;
        for (Layer layer : body) {
            main = lowering.lower(layer, main);
        }
        Node skip = input;
        for (Layer layer : shortcut) {
            skip = lowering.lower(layer, skip);
        }
        if (!main.shape().equals(skip.shape())) {
            String what = shortcut.isEmpty()
                    ? "the identity shortcut carries the input " + skip.typeString()
                    : "the shortcut gives " + skip.typeString();
            throw new ShapeException(name + " (residual): the body gives " + main.typeString() + " but " + what
                    + "; both must have one shape to be added"
                    + (shortcut.isEmpty() ? " — pass a projection shortcut, e.g. residual(body, s -> s.conv2d("
                    + main.shape().dim(1) + ", 1" + strideHint(input, main) + ").batchNorm())" : ""));
        }
        return lowering.output(this, new Add(), main, skip);
    }

    /** The stride a 1×1 projection needs to match the body's spatial size, when it is a whole number. */
    private static String strideHint(Node input, Node main) {
        if (input.shape().rank() != main.shape().rank() || input.shape().rank() < 3) {
            return "";
        }
        int in = input.shape().dim(2), out = main.shape().dim(2);
        return out < in && in % out == 0 ? ", stride(" + in / out + ")" : "";
    }
}
