package dev.convj.examples;

import static dev.convj.dsl.LayerOption.pad;
import static dev.convj.dsl.LayerOption.same;

import dev.convj.dsl.Network;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** The built-in models that the command line names with {@code --model}. */
public final class Models {
    private Models() {}

    private static final Map<String, Supplier<Network>> BUILT_IN = new LinkedHashMap<>();

    static {
        BUILT_IN.put("lenet5", Models::lenet5);
        BUILT_IN.put("vgg", Models::smallVgg);
    }

    /** LeNet-5 for 28×28 grey images and 10 classes: 61,706 parameters. */
    public static Network lenet5() {
        return Network.input(1, 28, 28)
                .conv2d(6, 5, pad(2)).relu().maxPool(2)
                .conv2d(16, 5).relu().maxPool(2)
                .flatten()
                .dense(120).relu()
                .dense(84).relu()
                .dense(10)
                .softmaxCrossEntropy();
    }

    /** A small VGG: two 3×3 blocks of 32 and 64 filters, each ending in 2×2 max pooling, then 256 and 10 units. */
    public static Network smallVgg() {
        return Network.input(1, 28, 28)
                .conv2d(32, 3, same()).relu().conv2d(32, 3, same()).relu().maxPool(2)
                .conv2d(64, 3, same()).relu().conv2d(64, 3, same()).relu().maxPool(2)
                .flatten()
                .dense(256).relu()
                .dense(10)
                .softmaxCrossEntropy();
    }

    /** The built-in model named {@code name}; the error lists the names there are. */
    public static Network byName(String name) {
        Supplier<Network> model = BUILT_IN.get(name);
        if (model == null) {
            throw new IllegalArgumentException("unknown model '" + name + "'; built-in models: "
                    + String.join(", ", BUILT_IN.keySet()));
        }
        return model.get();
    }

    public static Iterable<String> names() {
        return BUILT_IN.keySet();
    }
}
