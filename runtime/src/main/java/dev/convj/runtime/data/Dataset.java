package dev.convj.runtime.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Labelled images held in memory: {@code images} is [size, channels, height, width] row-major floats (already
 * normalized), {@code labels} one class index per image, and optionally a float target per image for regression
 * models ({@link #withTargets}, {@link #autoencoding}). Views such as {@link #take} copy; a dataset is never
 * changed after it is built.
 */
public final class Dataset {
    private final String name;
    private final float[] images;
    private final int[] labels;
    private final int channels, height, width, classes;
    /** Regression targets, [size, targetSize] row-major, or null; may be the images array itself. */
    private final float[] targets;
    private final int targetSize;

    public Dataset(String name, float[] images, int[] labels, int channels, int height, int width, int classes) {
        this(name, images, labels, channels, height, width, classes, null, 0);
    }

    private Dataset(String name, float[] images, int[] labels, int channels, int height, int width, int classes,
                    float[] targets, int targetSize) {
        int per = channels * height * width;
        if (channels < 1 || height < 1 || width < 1 || classes < 1) {
            throw new IllegalArgumentException(name + ": channels, height, width and classes must be ≥ 1");
        }
        if ((long) labels.length * per != images.length) {
            throw new IllegalArgumentException(name + ": " + labels.length + " labels need " + (long) labels.length * per
                    + " pixel values (" + channels + "×" + height + "×" + width + " each), got " + images.length);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException(name + ": label " + i + " is " + labels[i] + ", outside 0.."
                        + (classes - 1));
            }
        }
        this.name = name;
        this.images = images;
        this.labels = labels;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.classes = classes;
        this.targets = targets;
        this.targetSize = targetSize;
    }

    /**
     * The same images and labels with a float target of {@code targetSize} values per image ({@code targets} is
     * [size, targetSize] row-major), for models trained with a regression loss such as {@code mse()}.
     */
    public Dataset withTargets(float[] targets, int targetSize) {
        if (targetSize < 1 || (long) targetSize * size() != targets.length) {
            throw new IllegalArgumentException(name + ": " + size() + " targets of " + targetSize + " values need "
                    + (long) targetSize * size() + " values, got " + targets.length);
        }
        return new Dataset(name, images, labels, channels, height, width, classes, targets, targetSize);
    }

    /** The same images, each its own target: the data of an autoencoder. */
    public Dataset autoencoding() {
        return new Dataset(name, images, labels, channels, height, width, classes, images, imageSize());
    }

    /** Whether the images carry float targets (regression) besides their labels. */
    public boolean hasTargets() {
        return targets != null;
    }

    /** Values per target; 0 without targets. */
    public int targetSize() {
        return targetSize;
    }

    /** Copies image {@code i}'s target into {@code dst} at {@code offset}; fails without targets. */
    public void copyTarget(int i, float[] dst, int offset) {
        if (targets == null) {
            throw new IllegalStateException(name + " has labels but no float targets; give them with withTargets(...) "
                    + "or autoencoding()");
        }
        System.arraycopy(targets, i * targetSize, dst, offset, targetSize);
    }

    /** A copy of image {@code i}'s target. */
    public float[] target(int i) {
        float[] t = new float[targetSize];
        copyTarget(i, t, 0);
        return t;
    }

    /**
     * Images and labels from IDX arrays, pixels scaled to [0, 1] by /255 as the reference recipes (torchvision's
     * ToTensor) do. The two files must hold the same number of items.
     */
    public static Dataset fromIdx(String name, IdxArray images, IdxArray labels, int classes) throws IdxFormatException {
        if (images.rank() != 3 || labels.rank() != 1) {
            throw new IdxFormatException(name + ": expected images [n, rows, cols] and labels [n], got "
                    + images + " and " + labels);
        }
        if (images.count() != labels.count()) {
            throw new IdxFormatException(name + ": " + images.count() + " images but " + labels.count() + " labels");
        }
        float[] pixels = new float[images.length()];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = images.get(i) / 255f;
        }
        int[] y = new int[labels.count()];
        for (int i = 0; i < y.length; i++) {
            y[i] = labels.get(i);
            if (y[i] >= classes) {
                throw new IdxFormatException(name + ": label " + i + " is " + y[i] + " but there are only " + classes
                        + " classes");
            }
        }
        int[] d = images.dims();
        return new Dataset(name, pixels, y, 1, d[1], d[2], classes);
    }

    public String name() {
        return name;
    }

    public int size() {
        return labels.length;
    }

    public int channels() {
        return channels;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    public int classes() {
        return classes;
    }

    /** Values per image: channels · height · width. */
    public int imageSize() {
        return channels * height * width;
    }

    public int label(int i) {
        return labels[i];
    }

    /** A copy of image {@code i}'s values. */
    public float[] image(int i) {
        return Arrays.copyOfRange(images, i * imageSize(), (i + 1) * imageSize());
    }

    /** Copies image {@code i} into {@code dst} at {@code offset}, allocating nothing. */
    public void copyImage(int i, float[] dst, int offset) {
        System.arraycopy(images, i * imageSize(), dst, offset, imageSize());
    }

    /** The images at {@code indices}, in that order. */
    public Dataset subset(String newName, int[] indices) {
        int per = imageSize();
        float[] x = new float[indices.length * per];
        int[] y = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            System.arraycopy(images, indices[k] * per, x, k * per, per);
            y[k] = labels[indices[k]];
        }
        if (targets == images) {
            return new Dataset(newName, x, y, channels, height, width, classes, x, per);
        }
        float[] t = null;
        if (targets != null) {
            t = new float[indices.length * targetSize];
            for (int k = 0; k < indices.length; k++) {
                System.arraycopy(targets, indices[k] * targetSize, t, k * targetSize, targetSize);
            }
        }
        return new Dataset(newName, x, y, channels, height, width, classes, t, targetSize);
    }

    /** The first {@code n} images (all when there are fewer). */
    public Dataset take(int n) {
        int m = Math.min(n, size());
        return subset(name + "[:" + m + "]", java.util.stream.IntStream.range(0, m).toArray());
    }

    /**
     * {@code perClass} images of every class, chosen at random with {@code seed} and kept in their original order;
     * fails when a class has fewer.
     */
    public Dataset balancedSubset(int perClass, long seed) {
        List<List<Integer>> byClass = indicesByClass();
        Random random = new Random(seed);
        List<Integer> chosen = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            List<Integer> members = byClass.get(c);
            if (members.size() < perClass) {
                throw new IllegalArgumentException(name + ": class " + c + " has " + members.size() + " images, fewer than "
                        + perClass);
            }
            java.util.Collections.shuffle(members, random);
            chosen.addAll(members.subList(0, perClass));
        }
        int[] idx = chosen.stream().mapToInt(Integer::intValue).sorted().toArray();
        return subset(name + " (" + perClass + " per class)", idx);
    }

    /** The indices of each class's images, in order. */
    private List<List<Integer>> indicesByClass() {
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < labels.length; i++) {
            byClass.get(labels[i]).add(i);
        }
        return byClass;
    }

    /** A dataset cut in two: the images kept for training and those held out to validate on. */
    public record Holdout(Dataset train, Dataset validation) {}

    /**
     * Holds out {@code n} images chosen at random with {@code seed}, each class in proportion to its share of the
     * set (largest remainders get the odd images), so the held-out part is class-balanced when the set is; both
     * parts keep their images in their original order.
     */
    public Holdout holdOut(int n, long seed) {
        if (n < 0 || n >= size()) {
            throw new IllegalArgumentException(name + ": cannot hold out " + n + " of " + size() + " images; keep at "
                    + "least one for training");
        }
        int[] counts = classCounts(), quota = new int[classes];
        double[] remainder = new double[classes];
        int given = 0;
        for (int c = 0; c < classes; c++) {
            double exact = (double) n * counts[c] / size();
            quota[c] = (int) exact;
            remainder[c] = exact - quota[c];
            given += quota[c];
        }
        // Largest remainder first, the lower class on ties: deterministic whatever the seed.
        Integer[] order = java.util.stream.IntStream.range(0, classes).boxed().toArray(Integer[]::new);
        Arrays.sort(order, (a, b) -> remainder[a] != remainder[b] ? Double.compare(remainder[b], remainder[a]) : a - b);
        for (int k = 0; given < n; k = (k + 1) % classes) {
            if (quota[order[k]] < counts[order[k]]) {
                quota[order[k]]++;
                given++;
            }
        }
        List<List<Integer>> byClass = indicesByClass();
        Random random = new Random(seed);
        boolean[] held = new boolean[size()];
        for (int c = 0; c < classes; c++) {
            List<Integer> members = byClass.get(c);
            java.util.Collections.shuffle(members, random);
            members.subList(0, quota[c]).forEach(i -> held[i] = true);
        }
        int[] keep = java.util.stream.IntStream.range(0, size()).filter(i -> !held[i]).toArray();
        int[] out = java.util.stream.IntStream.range(0, size()).filter(i -> held[i]).toArray();
        return new Holdout(subset(name + " (training part)", keep), subset(name + " (validation part)", out));
    }

    /** Every image with its pixels rearranged: new pixel j = old pixel {@code permutation[j]} (same per image). */
    public Dataset permutePixels(int[] permutation) {
        int per = imageSize();
        if (permutation.length != per) {
            throw new IllegalArgumentException("a pixel permutation of " + per + " values is needed, got "
                    + permutation.length);
        }
        float[] x = new float[images.length];
        for (int i = 0; i < size(); i++) {
            for (int j = 0; j < per; j++) {
                x[i * per + j] = images[i * per + permutation[j]];
            }
        }
        // An autoencoder's targets follow its images; other targets stay as they were.
        return new Dataset(name + " (pixels permuted)", x, labels.clone(), channels, height, width, classes,
                targets == images ? x : targets, targetSize);
    }

    /** How many images of each class. */
    public int[] classCounts() {
        int[] counts = new int[classes];
        for (int y : labels) {
            counts[y]++;
        }
        return counts;
    }

    @Override
    public String toString() {
        return name + ": " + size() + " images " + channels + "×" + height + "×" + width + ", " + classes + " classes"
                + (targets == images ? ", each its own target" : targets != null ? ", targets of " + targetSize + " values" : "");
    }
}
