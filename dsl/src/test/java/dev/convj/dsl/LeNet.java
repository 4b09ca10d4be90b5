package dev.convj.dsl;

import static dev.convj.dsl.LayerOption.pad;

/** The LeNet-5 of the README, shared by the DSL tests. */
final class LeNet {
    private LeNet() {}

    static Network lenet5() {
        return Network.input(1, 28, 28)
                .conv2d(6, 5, pad(2)).relu().maxPool(2)
                .conv2d(16, 5).relu().maxPool(2).flatten()
                .dense(120).relu().dense(84).relu().dense(10)
                .softmaxCrossEntropy();
    }
}
