package dev.convj.dsl;

import static dev.convj.dsl.LayerOption.ceilMode;
import static dev.convj.dsl.LayerOption.dilation;
import static dev.convj.dsl.LayerOption.excludePad;
import static dev.convj.dsl.LayerOption.full;
import static dev.convj.dsl.LayerOption.groups;
import static dev.convj.dsl.LayerOption.noBias;
import static dev.convj.dsl.LayerOption.pad;
import static dev.convj.dsl.LayerOption.same;
import static dev.convj.dsl.LayerOption.stride;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NetworkSpecTest {

    static final Network LENET = Network.input(1, 28, 28)
            .conv2d(6, 5, pad(2)).relu().maxPool(2)
            .conv2d(16, 5).relu().maxPool(2).flatten()
            .dense(120).relu().dense(84).relu().dense(10)
            .softmaxCrossEntropy();

    @Test
    void lenetIsWrittenReadablyAndReadBack() {
        String text = NetworkSpec.write(LENET);
        assertTrue(text.startsWith("convj-network 1\ninput [1, 28, 28]\nlayer ConvLayer(name=\"conv1\", spatialRank=2, "
                + "filters=6, kernel=[5], padding=Explicit(low=[2], high=[2]), stride=[1], dilation=[1], groups=1, "
                + "bias=true, flipped=false, connectivity=null)\nlayer ActivationLayer(name=\"relu1\", function=RELU)\n"), text);
        assertTrue(text.endsWith("layer DenseLayer(name=\"fc3\", units=10, bias=true)\nloss softmax_cross_entropy\n"));
        Network back = NetworkSpec.read(text);
        assertEquals(LENET.layers(), back.layers());
        assertEquals(LENET.inputShape(), back.inputShape());
        assertEquals(LENET.graph(4).graph().toText(), back.graph(4).graph().toText());
        assertEquals(text, NetworkSpec.write(back));
    }

    @Test
    void everyLayerKindAndOptionRoundTrips() {
        Network n = Network.input(4, 17, 15)
                .normalize(0.25, 0.5)
                .conv2d(8, 3, same(), stride(2), noBias()).named("stem").tanh()
                .conv2d(8, 3, 2, full(), dilation(2), groups(4)).sigmoid()
                .conv2d(6, 3, pad(1, 0, 2, 1))
                .maxPool(3, stride(2), pad(1), ceilMode())
                .avgPool(2, pad(1), excludePad())
                .flatten().dense(7, noBias()).logSoftmax().softmax()
                .mse();
        String text = NetworkSpec.write(n);
        Network back = NetworkSpec.read(text);
        assertEquals(n.layers(), back.layers());
        assertEquals(n.graph(2).graph().toText(), back.graph(2).graph().toText());
        Network oneD = Network.input(2, 20).conv1d(3, 3).avgPool1d(2);
        assertEquals(oneD.layers(), NetworkSpec.read(NetworkSpec.write(oneD)).layers());
        assertTrue(NetworkSpec.write(oneD).endsWith("loss none\n"));
    }

    @Test
    void badDescriptionsNameTheLine() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NetworkSpec.read("hello"))
                .getMessage().startsWith("not a ConvJ network description"));
        String text = NetworkSpec.write(LENET).replace("filters=6", "filters=6, color=3");
        String message = assertThrows(IllegalArgumentException.class, () -> NetworkSpec.read(text)).getMessage();
        assertTrue(message.startsWith("network description, line 3: ConvLayer has no attribute 'color'; it has [name, "
                + "spatialRank, filters, kernel, padding, stride, dilation, groups, bias, flipped, connectivity] at column "),
                message);
        String unknown = NetworkSpec.write(LENET).replace("DenseLayer(name=\"fc3\"", "FancyLayer(name=\"fc3\"");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NetworkSpec.read(unknown)).getMessage()
                .contains("unknown Layer type 'FancyLayer'"));
        String shapes = NetworkSpec.write(LENET).replace("filters=16, kernel=[5]", "filters=16, kernel=[50]");
        assertTrue(assertThrows(RuntimeException.class, () -> NetworkSpec.read(shapes)).getMessage()
                .contains("conv2 (conv2d)"));
    }
}
