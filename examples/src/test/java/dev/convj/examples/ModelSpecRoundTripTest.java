package dev.convj.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.convj.dsl.Network;
import dev.convj.dsl.NetworkSpec;
import org.junit.jupiter.api.Test;

/**
 * Every built-in network, including the one that uses every layer of the DSL, survives the model file's
 * architecture text unchanged: the graph rebuilt from the text is the graph of the original.
 */
class ModelSpecRoundTripTest {

    @Test
    void everyBuiltInModelRoundTrips() {
        for (String name : Models.names()) {
            Network original = Models.byName(name);
            Network read = NetworkSpec.read(NetworkSpec.write(original));
            assertEquals(original.graph(2).graph().toText(), read.graph(2).graph().toText(), name);
        }
    }
}
