package dev.convj.examples.lessons;

import dev.convj.dsl.Network;
import dev.convj.examples.Backend;
import dev.convj.examples.data.FashionData;
import dev.convj.runtime.data.Dataset;
import dev.convj.runtime.data.FashionMnist;
import dev.convj.runtime.train.Adam;
import dev.convj.runtime.train.Trainer;
import java.util.Locale;
import java.util.Random;

/**
 * Lesson 4: convolution is a strong prior. Shuffle the pixels of every image with one fixed random permutation:
 * a dense network, which treats its inputs as an unordered list, learns exactly as well; a CNN, which assumes that
 * neighbouring pixels belong together, loses much of its accuracy. Arguments: [epochs] [training images].
 */
public final class Lesson04StrongPrior {
    private Lesson04StrongPrior() {}

    /** Test accuracies: {CNN, CNN permuted, dense, dense permuted}. */
    public static double[] run(Dataset train, Dataset test, int epochs, long seed) {
        Network cnn = Network.input(1, 28, 28)
                .conv2d(8, 5).relu().maxPool(2)
                .conv2d(16, 5).relu().maxPool(2).flatten()
                .dense(10).softmaxCrossEntropy();
        Network dense = Network.input(1, 28, 28).flatten()
                .dense(100).relu().dense(10).softmaxCrossEntropy();
        int[] permutation = permutation(train.imageSize(), seed);
        Dataset trainP = train.permutePixels(permutation), testP = test.permutePixels(permutation);
        return new double[] {
            accuracy(cnn, train, test, epochs, seed), accuracy(cnn, trainP, testP, epochs, seed),
            accuracy(dense, train, test, epochs, seed), accuracy(dense, trainP, testP, epochs, seed)};
    }

    static double accuracy(Network net, Dataset train, Dataset test, int epochs, long seed) {
        Trainer t = Trainer.builder(net::graph).inference(net::inferenceGraph).factory(Backend.factory(0)).optimizer(Adam.adam(2e-3))
                .batchSize(50).seed(seed).build();
        t.fit(train, null, epochs);
        return t.evaluate(test).accuracy();
    }

    static int[] permutation(int n, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        Random r = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    public static void main(String[] args) throws Exception {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int limit = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
        FashionMnist.Split data = FashionData.locate(null, System.out);
        Dataset train = data.train().take(limit), test = data.test().take(2000);
        System.out.printf(Locale.ROOT, "training on %,d images for %d epochs, testing on %,d%n", train.size(), epochs,
                test.size());
        double[] acc = run(train, test, epochs, 1);
        System.out.printf(Locale.ROOT, "%n%-30s %10s %16s%n", "", "pixels", "pixels permuted");
        System.out.printf(Locale.ROOT, "%-30s %9.1f%% %15.1f%%%n", "CNN (2 conv layers)", 100 * acc[0], 100 * acc[1]);
        System.out.printf(Locale.ROOT, "%-30s %9.1f%% %15.1f%%%n", "dense (784-100-10)", 100 * acc[2], 100 * acc[3]);
        System.out.println("\nThe dense network does not care about the order of its inputs; the CNN's prior — "
                + "nearby pixels matter together, the same detector everywhere — only helps when it is true.");
    }
}
