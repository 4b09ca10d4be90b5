package dev.convj.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SummaryTest {

    @Test
    void lenet5HasTheTextbookParameterCount() {
        Summary s = LeNet.lenet5().summary();
        assertEquals(61_706, s.totalParameters());
        assertEquals(156, s.row("conv1").parameters());
        assertEquals(2_416, s.row("conv2").parameters());
        assertEquals(48_120, s.row("fc1").parameters());
        assertEquals(10_164, s.row("fc2").parameters());
        assertEquals(850, s.row("fc3").parameters());
    }

    @Test
    void multiplyAddsPerImageCountEveryOutputTimesItsFanIn() {
        Summary s = LeNet.lenet5().summary();
        assertEquals(6 * 28 * 28 * 25, s.row("conv1").multiplyAdds());
        assertEquals(16 * 10 * 10 * 6 * 25, s.row("conv2").multiplyAdds());
        assertEquals(400 * 120, s.row("fc1").multiplyAdds());
        assertEquals(117_600 + 240_000 + 48_000 + 10_080 + 840, s.totalMultiplyAdds());
    }

    @Test
    void receptiveFieldsGrowByKernelTimesJump() {
        Summary s = LeNet.lenet5().summary();
        assertEquals(List.of(5, 5), s.row("conv1").receptiveField());
        assertEquals(List.of(6, 6), s.row("pool1").receptiveField());
        // conv2 adds (5−1)·2 after a stride-2 pool; pool2 adds (2−1)·2.
        assertEquals(List.of(14, 14), s.row("conv2").receptiveField());
        assertEquals(List.of(16, 16), s.row("pool2").receptiveField());
        assertEquals(List.of(), s.row("fc1").receptiveField());
    }

    @Test
    void outputShapesLeaveOutTheBatch() {
        Summary s = LeNet.lenet5().summary();
        assertEquals(List.of(6, 28, 28), s.row("conv1").outputShape());
        assertEquals(List.of(16, 5, 5), s.row("pool2").outputShape());
        assertEquals(List.of(400), s.row("flatten1").outputShape());
        assertEquals(List.of(10), s.row("fc3").outputShape());
    }

    @Test
    void printedTableHasARowPerLayerAndTotals() {
        String text = LeNet.lenet5().summary().toString();
        assertTrue(text.contains("conv1        conv2d           6×28×28                 156        117,600  5×5"),
                text);
        assertTrue(text.contains("total: 61,706 parameters, 416,520 multiply-adds per image"), text);
        assertEquals(1 + 1 + 12 + 1, text.lines().count(), text);
    }
}
