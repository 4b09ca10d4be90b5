package dev.convj.codegen;

/** The version of the code generator; part of every compile-cache key, so bump it whenever output changes. */
public final class CodegenVersion {
    private CodegenVersion() {}

    /**
     * Not a compile-time constant on purpose: javac would copy a constant into the runtime module's classes, and an
     * incremental build that recompiles only this module would leave them keying caches with the old number.
     */
    public static final int VERSION = Integer.parseInt("19");
}
