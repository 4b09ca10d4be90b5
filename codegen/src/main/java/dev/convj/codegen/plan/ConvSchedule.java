package dev.convj.codegen.plan;

import java.util.Locale;

/**
 * How one convolution-family node runs: its algorithm, the micro-kernel tile (rows × columns of C per step), the
 * threads its images are split across, and the cost model's estimates.
 *
 * @param node          the node's name
 * @param pass          the pass it computes
 * @param algorithm     the algorithm chosen, or forced
 * @param forced        whether a schedule forced it
 * @param tileRows      rows of the micro-kernel's tile (A's rows)
 * @param tileColumns   columns of the micro-kernel's tile (B's columns; two vectors of the chosen width)
 * @param threads       threads the node's images are split across
 * @param multiplyAdds  multiply-adds per call, padding and partial tiles included
 * @param bytes         bytes of operands, results and column matrices per call
 */
public record ConvSchedule(String node, ConvPass pass, ConvAlgorithm algorithm, boolean forced, int tileRows,
                           int tileColumns, int threads, long multiplyAdds, long bytes) {

    /** One line: node, pass, algorithm, tile, threads, estimated GFLOP and MB. */
    public String line() {
        return String.format(Locale.ROOT, "%-24s %-15s %-22s tile %2d×%-3d threads %d  %8.4f GFLOP %8.2f MB",
                node, pass.name().toLowerCase(Locale.ROOT).replace('_', '-'),
                algorithm.label() + (forced ? " (forced)" : ""), tileRows, tileColumns, threads,
                2.0 * multiplyAdds / 1e9, bytes / 1e6);
    }
}
