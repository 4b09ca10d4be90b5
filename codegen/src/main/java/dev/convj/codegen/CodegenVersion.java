package dev.convj.codegen;

/** The version of the code generator; part of every compile-cache key, so bump it whenever output changes. */
public final class CodegenVersion {
    private CodegenVersion() {}

    public static final int VERSION = 5;
}
