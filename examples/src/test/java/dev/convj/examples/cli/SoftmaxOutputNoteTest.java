package dev.convj.examples.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.dsl.Network;
import org.junit.jupiter.api.Test;

/** Fine-tuning warns when a model's output is already a softmax (an exported classifier with its probabilities). */
class SoftmaxOutputNoteTest {

    private static final Network BASE = Network.input(1, 4, 4).flatten().dense(3);

    @Test
    void onlyATrailingSoftmaxIsNoted() {
        assertTrue(TrainCommand.endsInSoftmax(BASE.softmax()));
        assertFalse(TrainCommand.endsInSoftmax(BASE), "logits");
        assertFalse(TrainCommand.endsInSoftmax(BASE.logSoftmax()), "cross-entropy of log-softmax equals that of logits");
        assertFalse(TrainCommand.endsInSoftmax(BASE.softmax().dense(2)), "a softmax inside the network");
    }
}
