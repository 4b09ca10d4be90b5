package dev.convj.examples.lessons;

import static dev.convj.dsl.LayerOption.same;

import dev.convj.dsl.Network;
import dev.convj.examples.Backend;
import dev.convj.examples.data.FashionData;
import dev.convj.runtime.data.FashionMnist;
import dev.convj.runtime.train.Evaluation;
import dev.convj.runtime.train.Sgd;
import dev.convj.runtime.train.Trainer;

/**
 * Lesson 2: a deeper "small VGG" — two blocks of two 3×3 convolutions (32 then 64 filters) each ending in 2×2 max
 * pooling, then dense 256 and 10. Stacked 3×3 kernels see as far as one 5×5 with fewer weights and one more
 * non-linearity. Arguments: [epochs] [training images] [test images].
 */
public final class Lesson02SmallVgg {
    private Lesson02SmallVgg() {}

    public static void main(String[] args) throws Exception {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int limit = args.length > 1 ? Integer.parseInt(args[1]) : Integer.MAX_VALUE;

        Network vgg = Network.input(1, 28, 28)
                .normalize(FashionMnist.PIXEL_MEAN, FashionMnist.PIXEL_STD)
                .conv2d(32, 3, same()).relu().conv2d(32, 3, same()).relu().maxPool(2)
                .conv2d(64, 3, same()).relu().conv2d(64, 3, same()).relu().maxPool(2)
                .flatten().dense(256).relu().dense(10)
                .softmaxCrossEntropy();
        System.out.print(vgg.summary());

        FashionMnist.Split data = FashionData.locate(null, System.out);
        var testSet = data.test().take(args.length > 2 ? Integer.parseInt(args[2]) : Integer.MAX_VALUE);
        Trainer trainer = Trainer.builder(vgg::graph).inference(vgg::inferenceGraph)
                .factory(Backend.factory(0))
                .optimizer(Sgd.momentum(0.01, 0.9))
                .batchSize(64).seed(1)
                .log(System.out).progressBar(System.console() != null ? System.err : null)
                .build();
        trainer.fit(data.train().take(limit), testSet, epochs);
        Evaluation test = trainer.evaluate(testSet);
        System.out.print(test.format(FashionMnist.CLASSES));
    }
}
