package dev.convj.codegen.kernels;

import java.nio.file.Path;

/** Where ConvJ caches what it compiles and measures, for the compile cache and the kernel trials alike. */
public final class CacheDirectory {
    private CacheDirectory() {}

    /**
     * {@code -Dconvj.cache=DIR}, else {@code $XDG_CACHE_HOME/convj}, else {@code ~/.cache/convj}; null for
     * {@code -Dconvj.cache=none} (caches kept in memory only).
     */
    public static Path root() {
        String configured = System.getProperty("convj.cache");
        if (configured != null) {
            return configured.equals("none") ? null : Path.of(configured);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("convj");
    }
}
