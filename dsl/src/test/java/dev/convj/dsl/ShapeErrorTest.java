package dev.convj.dsl;

import static dev.convj.dsl.LayerOption.dilation;
import static dev.convj.dsl.LayerOption.groups;
import static dev.convj.dsl.LayerOption.pad;
import static dev.convj.dsl.LayerOption.stride;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.convj.graph.ShapeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Every shape error surfaces when the layer is declared and names the layer, the shapes and the fix. */
class ShapeErrorTest {

    private static String message(Executable e) {
        return assertThrows(ShapeException.class, e).getMessage();
    }

    @Test
    void kernelLargerThanThePaddedInput() {
        assertEquals("conv2 (conv2d): kernel 5×5 with dilation 1×1 does not fit input 4×4 padded by [(0,0),(0,0)]:"
                        + " along spatial axis 0 the output size floor((n+p_low+p_high-d(f-1)-1)/s)+1"
                        + " = floor((4+0+0-1·4-1)/1)+1 = 0; use a smaller kernel or dilation, or pad the input",
                message(() -> Network.input(1, 12, 12).conv2d(4, 5).maxPool(2).conv2d(8, 5)));
    }

    @Test
    void dilationThatOutgrowsTheInput() {
        String m = message(() -> Network.input(1, 6, 6).conv2d(2, 3, dilation(3)));
        assertEquals(true, m.startsWith("conv1 (conv2d): kernel 3×3 with dilation 3×3 does not fit input 6×6"), m);
    }

    @Test
    void strideAndDilationMustBePositive() {
        assertEquals("conv1 (conv2d): stride must be ≥ 1, got [0, 0]",
                message(() -> Network.input(1, 8, 8).conv2d(2, 3, stride(0))));
        assertEquals("conv1 (conv2d): dilation must be ≥ 1, got [-1, -1]",
                message(() -> Network.input(1, 8, 8).conv2d(2, 3, dilation(-1))));
        assertEquals("pool1 (max_pool2d): pooling stride must be ≥ 1, got [0, 0]",
                message(() -> Network.input(1, 8, 8).maxPool(2, stride(0))));
    }

    @Test
    void channelsNotDivisibleByGroups() {
        assertEquals("conv1 (conv2d): input x f32[1,3,8,8] has 3 channels, which 2 groups do not divide;"
                        + " choose groups that divide 3",
                message(() -> Network.input(3, 8, 8).conv2d(4, 3, groups(2))));
        assertEquals("conv1 (conv2d): weight conv1.weight f32[3,2,3,3] has 3 filters, which 2 groups do not"
                        + " divide; choose a filter count divisible by 2",
                message(() -> Network.input(4, 8, 8).conv2d(3, 3, groups(2))));
    }

    @Test
    void poolingWindowTooLargeOrOverPadded() {
        assertEquals("pool2 (max_pool2d): pooling window 2×2 does not fit input 1×1 padded by [0, 0]: along"
                        + " spatial axis 0 the output size floor((n+2p-f)/s)+1 = floor((1+2·0-2)/2)+1 = 0;"
                        + " use a smaller window or a larger input",
                message(() -> Network.input(1, 3, 3).maxPool(2).maxPool(2)));
        assertEquals("pool1 (avg_pool2d): pooling padding must be between 0 and half the window, got [2, 2] for"
                        + " window [2, 2] (as in PyTorch; pad the input explicitly instead)",
                message(() -> Network.input(1, 8, 8).avgPool(2, pad(2))));
    }

    @Test
    void denseBeforeFlatten() {
        assertEquals("fc1 (dense): expects [N, features], got conv1 f32[1,2,6,6]; add flatten() before it",
                message(() -> Network.input(1, 8, 8).conv2d(2, 3).dense(10)));
    }

    @Test
    void convolutionAfterFlatten() {
        assertEquals("conv1 (conv2d): expects an input of rank 4 (N,C,spatial), got f32[1,64] (a dense output;"
                        + " convolve before flatten)",
                message(() -> Network.input(1, 8, 8).flatten().conv2d(2, 3)));
    }

    @Test
    void lossNeedsLogitsOfRankTwo() {
        assertEquals("loss (softmax_cross_entropy): expects logits [N, classes], got conv1 f32[1,2,6,6];"
                        + " flatten and add a dense layer first",
                message(() -> Network.input(1, 8, 8).conv2d(2, 3).softmaxCrossEntropy()));
    }

    @Test
    void optionsThatDoNotApply() {
        assertEquals("pool1 (max_pool2d): option dilation[2] does not apply to max_pool2d",
                message(() -> Network.input(1, 8, 8).maxPool(2, dilation(2))));
    }
}
