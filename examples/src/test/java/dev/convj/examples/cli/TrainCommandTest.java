package dev.convj.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.dsl.NetworkSpec;
import dev.convj.examples.Models;
import dev.convj.examples.data.FashionData;
import dev.convj.examples.train.EmbeddedTrainingTest;
import dev.convj.runtime.viz.DiagramRenderer;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train, eval, predict and diagram through the command line, on the embedded subset given with --data. */
class TrainCommandTest {

    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = ConvjCommand.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    @TempDir
    static Path dir;
    static String data;
    static Path model;
    static String trainOutput;

    @BeforeAll
    static void trainOnce() throws Exception {
        data = Path.of(FashionData.class.getResource(FashionData.EMBEDDED).toURI()).toString();
        Path description = dir.resolve("tiny.txt");
        Files.writeString(description, NetworkSpec.write(EmbeddedTrainingTest.TINY));
        Result r = run("train", "--model", description.toString(), "--epochs", "2", "--batch", "40", "--limit", "300",
                "--test-limit", "100", "--optimizer", "adam", "--lr", "0.01", "--data", data, "--out",
                dir.resolve("run").toString(), "--no-progress");
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("data: Fashion-MNIST from " + data), r.out());
        assertTrue(r.out().contains("epoch 2/2"), r.out());
        assertTrue(r.out().contains("test accuracy: "), r.out());
        assertTrue(r.out().contains("true \\ predicted"), r.out());
        // Without Graphviz the run says so in one line and lists only the DOT file.
        assertEquals(DiagramRenderer.dotProgram().isEmpty(), r.out().contains("in place of model.svg: drawing it needs"
                + " Graphviz's dot program (apt-get install graphviz)"), r.out());
        assertEquals(DiagramRenderer.dotProgram().isEmpty(), r.out().contains(", model.dot in "), r.out());
        model = dir.resolve("run/model.convj");
        trainOutput = r.out();
    }

    @Test
    void trainWritesModelCurvesAndDiagram() throws Exception {
        Path run = dir.resolve("run");
        for (String f : new String[] {"model.convj", "history.csv", "loss.png", "loss.svg", "accuracy.png",
                "accuracy.svg", "model.dot"}) {
            assertTrue(Files.size(run.resolve(f)) > 0, f);
        }
        assertEquals(DiagramRenderer.dotProgram().isPresent(), Files.exists(run.resolve("model.svg")));
        assertFalse(Files.exists(run.resolve("checkpoint.convj")), "the checkpoint is replaced by the final model");
        assertEquals(3, Files.readAllLines(run.resolve("history.csv")).size());
        assertTrue(Files.readString(run.resolve("loss.svg")).contains("<svg"));
        assertTrue(ImageIO.read(run.resolve("accuracy.png").toFile()).getWidth() > 0);
    }

    @Test
    void evalAndPredict() throws Exception {
        Result eval = run("eval", "--model", model.toString(), "--data", data, "--limit", "50");
        assertEquals(0, eval.code(), eval.err());
        assertTrue(eval.out().contains("Fashion-MNIST test[:50]: 50 images, loss "), eval.out());
        Result predict = run("predict", "--model", model.toString(), "--data", data, "--index", "7", "--top", "2");
        assertEquals(0, predict.code(), predict.err());
        assertTrue(predict.out().contains("test image 7, true class: "), predict.out());
        assertTrue(predict.out().contains("\n1. ") && predict.out().contains("\n2. ") && !predict.out().contains("\n3. "),
                predict.out());
        BufferedImage img = new BufferedImage(56, 56, BufferedImage.TYPE_INT_RGB);
        Path png = dir.resolve("shoe.png");
        ImageIO.write(img, "png", png.toFile());
        Result fromFile = run("predict", "--model", model.toString(), "--image", png.toString(), "--invert");
        assertEquals(0, fromFile.code(), fromFile.err());
        assertTrue(fromFile.out().contains("%"), fromFile.out());
    }

    @Test
    void diagramAndGradcheckDiagram() throws Exception {
        boolean graphviz = DiagramRenderer.dotProgram().isPresent();
        Result d = run("diagram", "--model", "lenet5", "--gradients", "--out", dir.resolve("g.svg").toString());
        assertEquals(0, d.code(), d.err());
        assertTrue(Files.readString(dir.resolve(graphviz ? "g.svg" : "g.dot")).contains("conv1.weight.grad"));
        Result dot = run("diagram", "--model", model.toString(), "--out", dir.resolve("m.dot").toString());
        assertEquals(0, dot.code(), dot.err());
        assertTrue(Files.readString(dir.resolve("m.dot")).startsWith("digraph convj {"));
        Result g = run("gradcheck", "--model", "lenet5", "--samples", "2", "--diagram", dir.resolve("gc.svg").toString());
        assertEquals(0, g.code(), g.err());
        assertTrue(g.out().contains(graphviz ? "wrote " + dir.resolve("gc.svg")
                : "wrote " + dir.resolve("gc.dot") + " in place of gc.svg"), g.out());
    }

    @Test
    void withoutGraphvizDiagramWritesDotAndSaysInOneLineHowToDrawIt() throws Exception {
        String saved = System.getProperty("convj.dot");
        System.setProperty("convj.dot", "none");
        try {
            Path svg = dir.resolve("nodot").resolve("m.svg"), dot = svg.resolveSibling("m.dot");
            Result d = run("diagram", "--model", "lenet5", "--out", svg.toString());
            assertEquals(0, d.code(), d.err());
            assertEquals("wrote " + dot + " in place of m.svg: drawing it needs Graphviz's dot program"
                    + " (apt-get install graphviz), then dot -Tsvg " + dot + " -o " + svg + "\n", d.out());
            assertEquals("", d.err());
            assertTrue(Files.readString(dot).startsWith("digraph convj {"));
            assertFalse(Files.exists(svg));
        } finally {
            if (saved == null) {
                System.clearProperty("convj.dot");
            } else {
                System.setProperty("convj.dot", saved);
            }
        }
    }

    @Test
    void userErrorsAreOneLineAndNonZero() throws Exception {
        Path corrupt = dir.resolve("corrupt.convj");
        byte[] bytes = Files.readAllBytes(model);
        bytes[bytes.length / 2] ^= 4;
        Files.write(corrupt, bytes);
        String[][] cases = {
            {"train", "--model", "alexnet", "--data", "x"},
            {"train", "--optimizer", "rmsprop", "--data", data, "--out", dir.resolve("o").toString()},
            {"train", "--epochs", "0"},
            {"train", "--data", dir.resolve("nowhere").toString()},
            {"eval", "--model", corrupt.toString()},
            {"eval", "--model", dir.resolve("missing.convj").toString()},
            {"predict", "--model", model.toString(), "--index", "5000", "--data", data},
            {"predict", "--model", model.toString()},
            {"diagram", "--model", "lenet5", "--out", dir.resolve("x.pdf").toString()},
            {"diagram", "--model", "lenet5", "--out", dir.resolve("y.svg").toString(), "--highlight", "nosuch"},
        };
        String[] expected = {
            "convj: --model alexnet: neither a built-in model (" + String.join(", ", Models.names())
                    + ") nor an existing file",
            "convj: --optimizer rmsprop: use sgd, nesterov, adam or adamw",
            "convj: --epochs 0: must be ≥ 1",
            "convj: --data " + dir.resolve("nowhere") + ": no such directory",
            "convj: " + corrupt + ": corrupted: the SHA-256 checksum does not match the content",
            "convj: no such file: " + dir.resolve("missing.convj"),
            "convj: --index 5000: the test set has images 0..999",
            "convj: Error: Missing required argument (specify one of these): (--image=<image> | --index=<index>)",
            "convj: diagram file " + dir.resolve("x.pdf") + ": use the extension .svg, .png or .dot",
            "convj: the graph has no node named 'nosuch'",
        };
        for (int i = 0; i < cases.length; i++) {
            Result r = run(cases[i]);
            assertTrue(r.code() != 0, String.join(" ", cases[i]));
            String first = r.err().lines().findFirst().orElse("");
            assertTrue(first.startsWith(expected[i]), "for " + String.join(" ", cases[i]) + ": " + r.err());
            assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
        }
    }

    @Test
    void eachBadNumberIsNamedWithItsValue() {
        String[][] cases = {
            {"train", "--epochs", "0"},
            {"train", "--batch", "0"},
            {"train", "--limit", "-1"},
            {"train", "--patience", "-1"},
            {"train", "--threads", "-1"},
            {"eval", "--model", model.toString(), "--threads", "-2", "--data", data},
            {"eval", "--model", model.toString(), "--batch", "0", "--data", data},
        };
        String[] expected = {
            "convj: --epochs 0: must be ≥ 1\n",
            "convj: --batch 0: must be ≥ 1\n",
            "convj: --limit -1: must be ≥ 0 (0: all training images)\n",
            "convj: --patience -1: must be ≥ 0 (0: never stop early)\n",
            "convj: --threads -1: must be ≥ 0 (0: all cores)\n",
            "convj: --threads -2: must be ≥ 0 (0: all cores)\n",
            "convj: --batch 0: must be ≥ 1\n",
        };
        for (int i = 0; i < cases.length; i++) {
            Result r = run(cases[i]);
            assertEquals(2, r.code(), String.join(" ", cases[i]));
            assertEquals(expected[i], r.err(), String.join(" ", cases[i]));
        }
        assertTrue(run("train", "--help").out().contains("--threads=<threads>"), "documented");
        assertTrue(run("train", "--help").out().contains("0: all cores"), "0 is documented");
    }

    @Test
    void outIsCheckedBeforeTraining() throws Exception {
        Path file = dir.resolve("afile");
        Files.writeString(file, "not a directory");
        Result r = run("train", "--out", file.toString(), "--data", data, "--limit", "40", "--epochs", "1",
                "--no-progress");
        assertEquals(2, r.code());
        assertEquals("convj: --out " + file + ": not a directory\n", r.err());
        assertEquals("", r.out(), "nothing trained");
        Result below = run("train", "--out", file.resolve("sub").toString(), "--data", data, "--limit", "40",
                "--epochs", "1", "--no-progress");
        assertEquals(2, below.code());
        assertEquals("convj: --out " + file.resolve("sub") + ": cannot create the directory (Not a directory)\n",
                below.err());
        Path readOnly = dir.resolve("readonly");
        Files.createDirectories(readOnly);
        Files.setPosixFilePermissions(readOnly, java.nio.file.attribute.PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            org.junit.jupiter.api.Assumptions.assumeFalse(Files.isWritable(readOnly), "root writes anywhere");
            Result ro = run("train", "--out", readOnly.toString(), "--data", data, "--limit", "40", "--epochs", "1",
                    "--no-progress");
            assertEquals(2, ro.code());
            assertEquals("convj: --out " + readOnly + ": not writable (Permission denied)\n", ro.err());
        } finally {
            Files.setPosixFilePermissions(readOnly, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void aDivergedRunLeavesTheSavedModelAlone() throws Exception {
        Path out = dir.resolve("diverged");
        Files.createDirectories(out);
        Files.copy(model, out.resolve("model.convj"));
        byte[] before = Files.readAllBytes(out.resolve("model.convj"));
        Result r = run("train", "--model", dir.resolve("tiny.txt").toString(), "--epochs", "3", "--batch", "40",
                "--limit", "400", "--test-limit", "100", "--lr", "100", "--data", data, "--out", out.toString(),
                "--no-progress");
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().matches("convj: training diverged at epoch 1: mean loss \\S+, more than 10× the starting "
                + "loss 2\\.\\d{3} and not falling; lower the learning rate \\(now 100\\); "
                + java.util.regex.Pattern.quote(out.resolve("model.convj") + " was left as it was") + "\n"), r.err());
        org.junit.jupiter.api.Assertions.assertArrayEquals(before, Files.readAllBytes(out.resolve("model.convj")));
        assertFalse(r.out().contains("wrote "), r.out());
    }

    @Test
    void theSavedModelIsTheBestEpochByValidation() throws Exception {
        Path out = dir.resolve("best");
        Result r = run("train", "--model", dir.resolve("tiny.txt").toString(), "--epochs", "4", "--batch", "40",
                "--limit", "400", "--test-limit", "100", "--lr", "10", "--data", data, "--out", out.toString(),
                "--no-progress");
        assertEquals(0, r.code(), r.out() + r.err());
        java.util.List<String> rows = Files.readAllLines(out.resolve("history.csv"));
        int best = 0;
        double bestAcc = -1;
        for (String row : rows.subList(1, rows.size())) {
            String[] f = row.split(",");
            if (Double.parseDouble(f[5]) > bestAcc) {
                bestAcc = Double.parseDouble(f[5]);
                best = Integer.parseInt(f[0]);
            }
        }
        assertTrue(best < 4, "this run's best epoch is not its last: " + rows);
        assertTrue(r.out().contains("keeping epoch " + best + ", the best by val_accuracy\n"), r.out());
        java.util.Map<String, String> meta = dev.convj.runtime.model.ModelFile.load(out.resolve("model.convj")).metadata();
        assertEquals(Integer.toString(best), meta.get("epochs"));
        assertEquals(String.format(java.util.Locale.ROOT, "%.6f", bestAcc), meta.get("val_accuracy"));
        assertTrue(r.out().contains("test set, evaluated once, with the weights of epoch " + best + ":\n"), r.out());
    }

    @Test
    void evalAndPredictNeedOnlyTheTestFiles() throws Exception {
        Path testOnly = dir.resolve("test-only");
        Files.createDirectories(testOnly);
        for (String f : new String[] {"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}) {
            Files.copy(Path.of(data, f), testOnly.resolve(f));
        }
        Result eval = run("eval", "--model", model.toString(), "--data", testOnly.toString(), "--limit", "20");
        assertEquals(0, eval.code(), eval.err());
        assertTrue(eval.out().contains("Fashion-MNIST test[:20]: 20 images, loss "), eval.out());
        Result predict = run("predict", "--model", model.toString(), "--data", testOnly.toString(), "--index", "3");
        assertEquals(0, predict.code(), predict.err());
        assertTrue(predict.out().contains("test image 3, true class: "), predict.out());
        Result none = run("eval", "--model", model.toString(), "--data", dir.resolve("run").toString());
        assertEquals("convj: --data " + dir.resolve("run") + ": expected t10k-images-idx3-ubyte(.gz) and "
                + "t10k-labels-idx1-ubyte(.gz) there\n", none.err());
    }

    @Test
    void aCorruptedDataFileIsNamed() throws Exception {
        Path broken = dir.resolve("broken-data");
        Files.createDirectories(broken);
        for (String f : new String[] {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}) {
            byte[] bytes = Files.readAllBytes(Path.of(data, f));
            Files.write(broken.resolve(f), f.startsWith("t10k-images") ? java.util.Arrays.copyOf(bytes, bytes.length / 2)
                    : bytes);
        }
        Path images = broken.resolve("t10k-images-idx3-ubyte.gz");
        String expected = "convj: " + images + ": corrupted or truncated gzip data (Unexpected end of ZLIB input "
                + "stream)\n";
        Result eval = run("eval", "--model", model.toString(), "--data", broken.toString());
        assertEquals(1, eval.code());
        assertEquals(expected, eval.err());
        Result train = run("train", "--model", dir.resolve("tiny.txt").toString(), "--data", broken.toString(), "--out",
                dir.resolve("never").toString(), "--no-progress");
        assertEquals(1, train.code());
        assertEquals(expected, train.err());
    }

    @Test
    void devicesAndHugeFilesAreRefusedAsModels() throws Exception {
        Result eval = run("eval", "--model", "/dev/zero", "--data", data);
        assertEquals(1, eval.code());
        assertEquals("convj: /dev/zero: not a ConvJ model file (it does not start with CONVJMDL)\n", eval.err());
        Result train = run("train", "--model", "/dev/zero", "--data", data, "--out", dir.resolve("z").toString());
        assertEquals(2, train.code());
        assertEquals("convj: --model /dev/zero: not a regular file\n", train.err());
        Path big = dir.resolve("big.bin");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(3L << 30);   // sparse
        }
        Result huge = run("train", "--model", big.toString(), "--data", data, "--out", dir.resolve("z").toString());
        assertEquals(2, huge.code());
        assertEquals("convj: --model " + big + ": neither a model file (it does not start with CONVJMDL) nor a network "
                + "description (3221225472 bytes; a description is text of at most 1048576)\n", huge.err());
        Path binary = dir.resolve("small.bin");
        Files.write(binary, new byte[] {'a', (byte) 0xff, (byte) 0xfe, 0});
        assertEquals("convj: --model " + binary + ": neither a model file (it does not start with CONVJMDL) nor a "
                + "network description (not UTF-8 text)\n", run("train", "--model", binary.toString(), "--data", data,
                "--out", dir.resolve("z").toString()).err());
    }

    @Test
    void exportRefusesReservedNamesAndWritesAnOrdinaryFile() throws Exception {
        Path out = dir.resolve("export");
        String[][] cases = {
            {"com.acme.var", "'com.acme.var': 'var' is a restricted identifier in Java and cannot be part of a class name"},
            {"com.yield.Net", "'com.yield.Net': 'yield' is a restricted identifier in Java and cannot be part of a class "
                    + "name"},
            {"com.acme.record", "'com.acme.record': 'record' is a restricted identifier in Java and cannot be part of a "
                    + "class name"},
            {"org.sealed.permits", "'org.sealed.permits': 'sealed' is a restricted identifier in Java and cannot be part "
                    + "of a class name"},
            {"com.class.Net", "'com.class.Net': 'class' is a Java keyword and cannot be part of a class name"},
            {"acme.true", "'acme.true': 'true' is a Java keyword and cannot be part of a class name"},
            {"java.lang.String", "'java.lang.String': the java package and those under it belong to the JDK; choose "
                    + "your own, such as com.acme.FashionNet"},
        };
        for (String[] c : cases) {
            Result r = run("export", "--model", model.toString(), "--class", c[0], "--out", out.toString());
            assertEquals(2, r.code(), c[0]);
            assertEquals("convj: " + c[1] + "\n", r.err());
        }
        assertFalse(Files.exists(out) && Files.list(out).findAny().isPresent(), "nothing written");
        Result ok = run("export", "--model", model.toString(), "--class", "com.acme.javanet.Net", "--out",
                out.toString());
        assertEquals(0, ok.code(), ok.err());
        Path ordinary = Files.createFile(out.resolve("ordinary.txt"));
        assertEquals(Files.getPosixFilePermissions(ordinary), Files.getPosixFilePermissions(out.resolve("Net.java")),
                "the umask decides, as for any new file");
    }

    @Test
    void validationIsHeldOutOfTheTrainingSetAndTheTestSetIsUsedOnce() throws Exception {
        assertTrue(trainOutput.contains("\nvalidation: 500 of the 5,000 training images held out (seed 1) choose the "
                + "epoch kept; the test set is evaluated once, at the end (the default 5,000 scaled to a tenth of this "
                + "smaller training set)\n"), trainOutput);
        assertTrue(trainOutput.contains("\ntest set, evaluated once, with the weights of epoch "), trainOutput);
        Path out = dir.resolve("val");
        Result r = run("train", "--model", dir.resolve("tiny.txt").toString(), "--epochs", "2", "--batch", "40",
                "--limit", "200", "--val-split", "100", "--test-limit", "7", "--patience", "1", "--optimizer", "adam",
                "--lr", "0.01", "--data", data, "--out", out.toString(), "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\nvalidation: 100 of the 5,000 training images held out (seed 1) choose the epoch "
                + "kept and when to stop; the test set is evaluated once, at the end\n"), r.out());
        for (String row : Files.readAllLines(out.resolve("history.csv")).subList(1, 3)) {
            double valAccuracy = Double.parseDouble(row.split(",")[5]);
            assertEquals(Math.rint(valAccuracy * 100), valAccuracy * 100, 1e-6, "hundredths, not sevenths: " + row);
        }
        java.util.Map<String, String> meta = dev.convj.runtime.model.ModelFile.load(out.resolve("model.convj")).metadata();
        assertEquals("100", meta.get("val_images"));
        assertEquals("200", meta.get("train_images"));
        Result none = run("train", "--val-split", "0", "--patience", "2");
        assertEquals("convj: --patience 2: needs a validation split (--val-split ≥ 1)\n", none.err());
        Result tooMany = run("train", "--model", dir.resolve("tiny.txt").toString(), "--val-split", "5000", "--data",
                data, "--out", out.toString(), "--no-progress");
        assertEquals("convj: --val-split 5000: must be less than the 5000 training images\n", tooMany.err());
        assertEquals("convj: --val-split -1: must be ≥ 0 (0: no validation, the last epoch is kept)\n",
                run("train", "--val-split", "-1").err());
    }

    @Test
    void aBetterModelAlreadyInOutIsNotReplaced() throws Exception {
        Path out = dir.resolve("better");
        Files.createDirectories(out);
        Files.copy(model, out.resolve("model.convj"));
        byte[] before = Files.readAllBytes(out.resolve("model.convj"));
        Result r = run("train", "--model", dir.resolve("tiny.txt").toString(), "--epochs", "1", "--batch", "40",
                "--limit", "200", "--test-limit", "50", "--lr", "10", "--data", data, "--out", out.toString(),
                "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().matches("(?s).*\n" + java.util.regex.Pattern.quote(out.resolve("model.convj").toString())
                + " kept: it scores val_acc \\d+\\.\\d\\d% on this run's validation set, better than this run's best, "
                + "val_acc \\d+\\.\\d\\d% \\(epoch 1\\); this run's model is in "
                + java.util.regex.Pattern.quote(out.resolve("candidate.convj").toString()) + "\n.*"), r.out());
        org.junit.jupiter.api.Assertions.assertArrayEquals(before, Files.readAllBytes(out.resolve("model.convj")));
        assertTrue(Files.size(out.resolve("candidate.convj")) > 0);
        Result again = run("train", "--model", dir.resolve("tiny.txt").toString(), "--epochs", "2", "--batch", "40",
                "--limit", "300", "--test-limit", "50", "--optimizer", "adam", "--lr", "0.01", "--data", data,
                "--out", out.toString(), "--seed", "2", "--no-progress");
        assertEquals(0, again.code(), again.err());
        assertFalse(again.out().contains(" kept: "), "a model of another run that does not score better is replaced: "
                + again.out());
    }
}
