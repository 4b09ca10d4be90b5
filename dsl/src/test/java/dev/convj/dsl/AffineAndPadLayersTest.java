package dev.convj.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.convj.graph.Node;
import dev.convj.graph.ShapeException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The layers model import adds: shapes, parameters, their text form, and what they refuse. */
class AffineAndPadLayersTest {

    static final Network NET = Network.input(3, 6, 6)
            .then(new AffineLayer("affine1", List.of(3, 1, 1), true, true))
            .then(new PadLayer("pad1", List.of(0, 2, 1), List.of(1, 0, 1), 0.5))
            .conv2d(4, 3)
            .flatten()
            .then(new AffineLayer("affine2", List.of(1), true, false));

    @Test
    void shapesAndParameters() {
        assertEquals(List.of(4 * 6 * 6), NET.outputShape()); // padded to 4×8×8 (a channel of 0.5 too), then 3×3
        assertEquals(List.of("affine1.scale [3,1,1]", "affine1.shift [3,1,1]", "conv1.weight [4,4,3,3]",
                        "conv1.bias [4]", "affine2.scale [1]"),
                NET.graph(2).parameters().stream().map(p -> p.name() + " " + p.shape()).toList());
        Node pad = NET.graph(2).graph().node("pad1");
        assertEquals("[2,4,8,8]", pad.shape().toString());
    }

    @Test
    void negativePaddingCrops() {
        Network cropped = Network.input(2, 5, 5).then(new PadLayer("pad1", List.of(0, -1, 1), List.of(0, -2, 0), 0));
        assertEquals(List.of(2, 2, 6), cropped.outputShape());
    }

    @Test
    void bothRoundTripThroughTheirText() {
        String text = NetworkSpec.write(NET);
        assertEquals(true, text.contains("layer AffineLayer(name=\"affine1\", shape=[3, 1, 1], scale=true, shift=true)\n"
                + "layer PadLayer(name=\"pad1\", low=[0, 2, 1], high=[1, 0, 1], value=0.5)\n"), text);
        Network back = NetworkSpec.read(text);
        assertEquals(NET.layers(), back.layers());
        assertEquals(NET.graph(3).graph().toText(), back.graph(3).graph().toText());
    }

    @Test
    void aScaleThatDoesNotBroadcastIsNamed() {
        ShapeException e = assertThrows(ShapeException.class,
                () -> Network.input(3, 6, 6).then(new AffineLayer("affine1", List.of(4, 1, 1), true, false)));
        assertEquals("affine1 (affine): scale and shift of shape [4, 1, 1] do not broadcast to x f32[1,3,6,6] (axis 1:"
                + " 4 is neither 1 nor 3)", e.getMessage());
        ShapeException crop = assertThrows(ShapeException.class, () -> Network.input(3, 4)
                .then(new PadLayer("pad1", List.of(0, -2), List.of(0, -2), 0)));
        assertEquals("pad1 (pad): cropping 2 before and 2 after axis 2 of extent 4 of x f32[1,3,4] leaves nothing",
                crop.getMessage());
    }
}
