package dev.convj.codegen.kernels;

/** Prints this JVM's kernel choice, for {@link KernelChoiceTest}'s JVMs with other options. */
public final class KernelChoiceMain {
    private KernelChoiceMain() {}

    public static void main(String[] args) {
        System.out.println("bits=" + KernelChoice.vectorBits() + " nr=" + Gemm.NR + " " + KernelChoice.describe());
        System.out.print(KernelChoice.trialsReport());
    }
}
