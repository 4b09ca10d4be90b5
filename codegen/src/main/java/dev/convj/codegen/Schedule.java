package dev.convj.codegen;

/**
 * How generated code runs, kept apart from what it computes: the number of threads a compiled graph splits its
 * loops across, and the smallest elementwise loop worth splitting. GEMM blocking and the vector width live in
 * {@link dev.convj.codegen.kernels.Gemm}.
 *
 * @param threads          threads per compiled graph (the calling thread included)
 * @param parallelMinimum  elementwise loops shorter than this run on the calling thread alone
 */
public record Schedule(int threads, int parallelMinimum) {

    public Schedule {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be ≥ 1, got " + threads);
        }
        if (parallelMinimum < 1) {
            throw new IllegalArgumentException("parallelMinimum must be ≥ 1, got " + parallelMinimum);
        }
    }

    /** One thread per available processor. */
    public static Schedule defaults() {
        return threads(Runtime.getRuntime().availableProcessors());
    }

    public static Schedule threads(int threads) {
        return new Schedule(threads, 1 << 15);
    }
}
