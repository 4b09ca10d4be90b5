package dev.convj.codegen.kernels;

/** Whether the Vector API can be used: the incubator module is resolved and not switched off. */
public final class VectorSupport {
    private VectorSupport() {}

    /**
     * True when {@code jdk.incubator.vector} is in the boot layer (the JVM was started with
     * {@code --add-modules jdk.incubator.vector}) and the system property {@code convj.vector} is not "false".
     */
    public static final boolean AVAILABLE = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            && !"false".equals(System.getProperty("convj.vector"));
}
