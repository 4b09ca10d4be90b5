package dev.convj.examples.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks of option values that picocli's types cannot express; each message names the option and the value. */
final class OptionChecks {
    private OptionChecks() {}

    /** Refuses {@code value < min}; {@code meaning}, when not null, says what the smallest value does. */
    static void atLeast(String option, long value, long min, String meaning) {
        if (value < min) {
            throw new IllegalArgumentException(option + " " + value + ": must be ≥ " + min
                    + (meaning == null ? "" : " (" + min + ": " + meaning + ")"));
        }
    }

    /**
     * Creates the output directory when missing and proves it writable by creating and deleting a file in it, so
     * that a bad {@code --out} fails before any training rather than after the first epoch.
     */
    static void writableDirectory(String option, Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException(option + " " + dir + ": not a directory");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalArgumentException(option + " " + dir + ": cannot create the directory (" + reason(e) + ")");
        }
        try {
            Files.delete(Files.createTempFile(dir, ".convj-write-check", ".tmp"));
        } catch (IOException e) {
            throw new IllegalArgumentException(option + " " + dir + ": not writable (" + reason(e) + ")");
        }
    }

    /** The operating system's reason without the path, which the caller names already. */
    private static String reason(IOException e) {
        if (e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null) {
            return fs.getReason();
        }
        return e.getClass() == java.nio.file.FileAlreadyExistsException.class ? "a file is in the way"
                : String.valueOf(e.getMessage());
    }
}
