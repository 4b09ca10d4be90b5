package dev.convj.spark.cli;

import static dev.convj.dsl.LayerOption.pad;
import static dev.convj.dsl.LayerOption.same;

import dev.convj.dsl.Network;
import dev.convj.runtime.data.FashionMnist;
import java.util.List;

/**
 * The networks {@code --model lenet5} and {@code --model vgg} name: the same definitions as the examples' built-in
 * models (the examples module is not a dependency here: its jar bundles everything for {@code convj}).
 */
final class BuiltInModels {
    private BuiltInModels() {}

    static final List<String> NAMES = List.of("lenet5", "vgg");

    /** LeNet-5 for 28×28 grey images, input standardized with Fashion-MNIST's pixel statistics: 61,706 parameters. */
    static Network lenet5() {
        return Network.input(1, 28, 28)
                .normalize(FashionMnist.PIXEL_MEAN, FashionMnist.PIXEL_STD)
                .conv2d(6, 5, pad(2)).relu().maxPool(2)
                .conv2d(16, 5).relu().maxPool(2)
                .flatten()
                .dense(120).relu()
                .dense(84).relu()
                .dense(10)
                .softmaxCrossEntropy();
    }

    /** A small VGG: two 3×3 blocks of 32 and 64 filters, each ending in 2×2 max pooling, then 256 and 10 units. */
    static Network smallVgg() {
        return Network.input(1, 28, 28)
                .normalize(FashionMnist.PIXEL_MEAN, FashionMnist.PIXEL_STD)
                .conv2d(32, 3, same()).relu().conv2d(32, 3, same()).relu().maxPool(2)
                .conv2d(64, 3, same()).relu().conv2d(64, 3, same()).relu().maxPool(2)
                .flatten()
                .dense(256).relu()
                .dense(10)
                .softmaxCrossEntropy();
    }

    /** The built-in network called {@code name}, or null. */
    static Network byName(String name) {
        return switch (name) {
            case "lenet5" -> lenet5();
            case "vgg" -> smallVgg();
            default -> null;
        };
    }
}
