package dev.convj.codegen.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class TeamTest {

    @Test
    void everyItemRunsOnceInContiguousChunksPerThread() {
        try (Team team = new Team(3)) {
            for (int count : new int[] {1, 2, 3, 7, 100}) {
                AtomicIntegerArray runs = new AtomicIntegerArray(count);
                int[] owner = new int[count];
                for (int repeat = 0; repeat < 50; repeat++) {
                    team.run((from, to, worker) -> {
                        for (int i = from; i < to; i++) {
                            runs.incrementAndGet(i);
                            owner[i] = worker;
                        }
                    }, count);
                }
                for (int i = 0; i < count; i++) {
                    assertEquals(50, runs.get(i), "item " + i + " of " + count);
                    if (count >= 2) {
                        // The split depends only on the count and the team size.
                        int expected = 0;
                        while (Team.chunkStart(count, 3, expected + 1) <= i) {
                            expected++;
                        }
                        assertEquals(expected, owner[i]);
                    }
                }
            }
        }
    }

    @Test
    void chunksCoverTheRangeInOrder() {
        assertArrayEquals(new int[] {0, 3, 6, 10}, new int[] {Team.chunkStart(10, 3, 0), Team.chunkStart(10, 3, 1),
                Team.chunkStart(10, 3, 2), Team.chunkStart(10, 3, 3)});
    }

    @Test
    void aFailingWorkerFailsTheCall() {
        try (Team team = new Team(2)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> team.run((from, to, worker) -> {
                if (worker == 1) {
                    throw new ArithmeticException("boom");
                }
            }, 2));
            assertTrue(e.getMessage().contains("boom"), e.getMessage());
            // The team still works afterwards.
            AtomicIntegerArray runs = new AtomicIntegerArray(2);
            team.run((from, to, worker) -> runs.incrementAndGet(from), 2);
            assertEquals(1, runs.get(0));
            assertEquals(1, runs.get(1));
        }
    }
}
