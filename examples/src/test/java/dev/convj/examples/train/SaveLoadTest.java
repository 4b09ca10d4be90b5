package dev.convj.examples.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.examples.ModelStore;
import dev.convj.examples.Models;
import dev.convj.examples.data.FashionData;
import dev.convj.runtime.data.Dataset;
import dev.convj.runtime.model.ModelFileException;
import dev.convj.runtime.train.EarlyStopping;
import dev.convj.runtime.train.ExecutableFactory;
import dev.convj.runtime.train.History;
import dev.convj.runtime.train.ModelCheckpoint;
import dev.convj.runtime.train.Monitor;
import dev.convj.runtime.train.Sgd;
import dev.convj.runtime.train.Trainer;
import dev.convj.dsl.NetworkSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SaveLoadTest {

    @TempDir
    Path dir;

    @Test
    void savedModelPredictsBitForBit() throws Exception {
        Dataset data = FashionData.embedded().test().take(24);
        float[] images = new float[12 * data.imageSize()];
        for (int i = 0; i < 12; i++) {
            data.copyImage(i, images, i * data.imageSize());
        }
        Trainer trainer = Trainer.builder(EmbeddedTrainingTest.TINY::graph).optimizer(Sgd.momentum(0.05, 0.9))
                .batchSize(8).seed(3).build();
        trainer.fit(data, null, 1);
        float[] before = trainer.logits(images, 12);
        Path file = dir.resolve("tiny.convj");
        ModelStore.save(file, EmbeddedTrainingTest.TINY, trainer.weights(), Map.of("note", "test"));

        ModelStore.Loaded loaded = ModelStore.resolve(file.toString());
        assertEquals(EmbeddedTrainingTest.TINY.layers(), loaded.network().layers());
        assertEquals("test", loaded.metadata().get("note"));
        Trainer again = Trainer.builder(loaded.network()::graph).weights(loaded.weights()).build();
        float[] after = again.logits(images, 12);
        assertEquals(before.length, after.length);
        for (int i = 0; i < before.length; i++) {
            assertEquals(Float.floatToRawIntBits(before[i]), Float.floatToRawIntBits(after[i]), "logit " + i);
        }

        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 40] ^= 1;
        Files.write(file, bytes);
        assertTrue(assertThrows(ModelFileException.class, () -> ModelStore.load(file)).getMessage().contains("corrupted"));
    }

    @Test
    void lenetArchitectureAndWeightsRoundTrip() throws Exception {
        Trainer t = Trainer.builder(Models.lenet5()::graph).seed(9).build();
        Path file = dir.resolve("lenet.convj");
        ModelStore.save(file, Models.lenet5(), t.weights(), Map.of());
        ModelStore.Loaded loaded = ModelStore.load(file);
        assertEquals(NetworkSpec.write(Models.lenet5()), NetworkSpec.write(loaded.network()));
        for (var e : t.weights().entrySet()) {
            assertArrayEquals(e.getValue(), loaded.weights().get(e.getKey()), e.getKey());
        }
        assertEquals(61_706, loaded.weights().values().stream().mapToInt(w -> w.length).sum());
    }

    @Test
    void checkpointAndEarlyStopping() throws Exception {
        Dataset data = FashionData.embedded().train().take(60);
        Path ckpt = dir.resolve("ckpt.convj");
        ModelCheckpoint checkpoint = new ModelCheckpoint(ckpt, NetworkSpec.write(EmbeddedTrainingTest.TINY), null);
        // lr 0 never improves the loss: patience 1 stops after the second epoch of five.
        EarlyStopping early = new EarlyStopping(Monitor.LOSS, 1, 1e-6, true);
        Trainer trainer = Trainer.builder(EmbeddedTrainingTest.TINY::graph).factory(ExecutableFactory.interpreter())
                .optimizer(Sgd.of(0)).batchSize(32).callback(checkpoint).callback(early).build();
        History h = trainer.fit(data, null, 5);
        assertTrue(early.stopped());
        assertEquals(2, h.size());
        assertEquals(2, checkpoint.saves());
        assertEquals("2", ModelStore.load(ckpt).metadata().get("epoch"));
        assertTrue(h.toCsv().startsWith("epoch,lr,loss,accuracy,val_loss,val_accuracy,seconds,images_per_second\n1,0,"),
                h.toCsv());
    }
}
