package dev.convj.examples.lessons;

import static dev.convj.dsl.LayerOption.pad;

import dev.convj.dsl.Network;
import dev.convj.examples.Backend;
import dev.convj.examples.ModelStore;
import dev.convj.examples.data.FashionData;
import dev.convj.runtime.data.FashionMnist;
import dev.convj.runtime.train.Curves;
import dev.convj.runtime.train.Evaluation;
import dev.convj.runtime.train.History;
import dev.convj.runtime.train.Sgd;
import dev.convj.runtime.train.Trainer;
import java.nio.file.Path;
import java.util.Map;

/**
 * Lesson 1: LeNet-5 on Fashion-MNIST, the recipe PyTorch users know: SGD with momentum 0.9, learning rate 0.01,
 * batch 64, 5 epochs, the input standardized with the training set's pixel mean and standard deviation (about
 * 88.5-89 % test accuracy; without the standardization about a point less). Arguments: [epochs] [training images]
 * [output directory, default runs/lesson01] [test images].
 */
public final class Lesson01LeNet5 {
    private Lesson01LeNet5() {}

    public static void main(String[] args) throws Exception {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int limit = args.length > 1 ? Integer.parseInt(args[1]) : Integer.MAX_VALUE;

        Network lenet5 = Network.input(1, 28, 28)
                .normalize(FashionMnist.PIXEL_MEAN, FashionMnist.PIXEL_STD)   // (x − 0.2860) / 0.3530
                .conv2d(6, 5, pad(2)).relu().maxPool(2)
                .conv2d(16, 5).relu().maxPool(2).flatten()
                .dense(120).relu().dense(84).relu().dense(10)
                .softmaxCrossEntropy();
        System.out.print(lenet5.summary());

        FashionMnist.Split data = FashionData.locate(null, System.out);
        var testSet = data.test().take(args.length > 3 ? Integer.parseInt(args[3]) : Integer.MAX_VALUE);
        Trainer trainer = Trainer.builder(lenet5::graph).inference(lenet5::inferenceGraph)
                .factory(Backend.factory(0))
                .optimizer(Sgd.momentum(0.01, 0.9))
                .batchSize(64).seed(1)
                .log(System.out).progressBar(System.console() != null ? System.err : null)
                .build();
        History history = trainer.fit(data.train().take(limit), testSet, epochs);

        Evaluation test = trainer.evaluate(testSet);
        System.out.print(test.format(FashionMnist.CLASSES));
        Path out = args.length > 2 ? Path.of(args[2]) : Path.of("runs", "lesson01");
        ModelStore.save(out.resolve("lenet5.convj"), lenet5, trainer.weights(), Map.of());
        Curves.write(history, out, "LeNet-5");
        System.out.println("model and curves in " + out);
    }
}
