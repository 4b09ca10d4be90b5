package dev.convj.codegen.emit;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.convj.codegen.Schedule;
import dev.convj.codegen.plan.ConvPlan;
import dev.convj.codegen.plan.ExecutionPlan;
import dev.convj.codegen.plan.MemoryPlan;
import dev.convj.graph.Graph;
import dev.convj.graph.Node;
import dev.convj.graph.viz.TextDump;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.lang.model.element.Modifier;

/**
 * The state shared by the emitters while one class is generated: the plans, the class being built, the body of
 * {@code run()}, and the scratch space the emitted code needs per thread.
 */
public final class EmitContext {
    /** The kernel classes generated code calls: ConvJ's own, or the copies nested in a standalone class. */
    final ClassName team;
    final ClassName gemmClass;
    final ClassName workspace;
    /** The 2×2 max-pooling kernels; null in a standalone class, which keeps the emitted loops. */
    final ClassName maxPool2x2;
    /** Winograd F(2×2, 3×3)'s vector transforms; null in a standalone class, which keeps the emitted ones. */
    final ClassName winogradF2;
    /** Winograd F(4×4, 3×3)'s vector transforms; null in a standalone class, which keeps the emitted ones. */
    final ClassName winogradF4;
    /**
     * Whether the class is standalone: it picks its micro-kernel's width where it runs, so nothing emitted may depend
     * on the width of this JVM's kernel beyond what every width handles.
     */
    final boolean standalone;

    final Graph graph;
    final ExecutionPlan plan;
    /** How each convolution-family node runs: decided before any code is emitted. */
    final ConvPlan convPlan;
    final MemoryPlan memory;
    final Schedule schedule;
    final TypeSpec.Builder type;
    final CodeBlock.Builder run = CodeBlock.builder();
    private final Set<String> methodNames = new LinkedHashSet<>();
    /** The loop methods the team splits, numbered in order; {@link #addParts} dispatches on that number. */
    private final List<String> parts = new ArrayList<>();
    int colSize;
    int partialSize;
    /** Floats of the one scratch array all threads share (e.g. a dense layer's weights packed once per call). */
    int sharedSize;

    EmitContext(Graph graph, ExecutionPlan plan, ConvPlan convPlan, MemoryPlan memory, Schedule schedule, TypeSpec.Builder type,
                ClassName self, boolean standalone) {
        String kernels = "dev.convj.codegen.kernels";
        this.team = standalone ? self.nestedClass("Team") : ClassName.get(kernels, "Team");
        this.gemmClass = standalone ? self.nestedClass("Gemm") : ClassName.get(kernels, "Gemm");
        this.workspace = gemmClass.nestedClass("Workspace");
        this.maxPool2x2 = standalone ? null : ClassName.get(kernels, "MaxPool2x2");
        this.winogradF2 = standalone ? null : ClassName.get(kernels, "WinogradF2");
        this.winogradF4 = standalone ? null : ClassName.get(kernels, "WinogradF4");
        this.standalone = standalone;
        this.graph = graph;
        this.plan = plan;
        this.convPlan = convPlan;
        this.memory = memory;
        this.schedule = schedule;
        this.type = type;
    }

    /** The field holding the buffer of node {@code n}'s value. */
    String buf(Node n) {
        int b = memory.bufferOf(n.id());
        if (b < 0) {
            throw new IllegalStateException("node " + n.name() + " has no buffer (it is inlined)");
        }
        return (memory.buffers().get(b).ints() ? "i" : "f") + b;
    }

    Node input(Node n, int i) {
        return graph.node(n.inputs().get(i));
    }

    /** A Java identifier for the method computing {@code n}, unique in the class. */
    String methodName(Node n) {
        String base = "n" + n.id() + "_" + n.name().replaceAll("[^A-Za-z0-9]", "_");
        String name = base;
        for (int i = 2; !methodNames.add(name); i++) {
            name = base + "_" + i;
        }
        return name;
    }

    /** The text-dump line of {@code n}, used as the comment above the code that computes it. */
    String describe(Node n) {
        return TextDump.line(graph, n).strip();
    }

    void needCol(long floats) {
        colSize = (int) Math.max(colSize, floats);
    }

    void needShared(long floats) {
        sharedSize = (int) Math.max(sharedSize, floats);
    }

    void needPartial(long floats) {
        partialSize = (int) Math.max(partialSize, floats);
    }

    /**
     * Opens a loop that sums over images into per-thread partials: {@code acc} is n's buffer on one thread, else the
     * thread's partial, which run() adds in thread order (so the bits depend only on the thread count).
     */
    void partialAccumulator(CodeBlock.Builder b, Node n) {
        b.add("// Each thread sums its images into its own partial; run() adds the partials in thread order.\n")
                .addStatement("float[] acc = team.size() == 1 ? $L : partials[worker]", buf(n));
    }

    /** {@code first} and {@code last}: the images of the thread a loop over threads runs on. */
    void threadImages(CodeBlock.Builder b, int batch) {
        b.add("// items are threads here: thread w sums images [chunkStart(w), chunkStart(w + 1))\n")
                .addStatement("int first = $T.chunkStart($L, team.size(), from), last = $T.chunkStart($L, team.size(), to)",
                        team, batch, team, batch);
    }

    /**
     * Adds a method {@code name(int from, int to, int worker)} with {@code body}, and a call to it from
     * {@code run()}: split across the team over [0, count) when {@code parallel}, else on the calling thread.
     */
    void loopMethod(Node n, String name, int count, boolean parallel, CodeBlock body) {
        loopMethod(n, name, String.valueOf(count), parallel && count > 1, body);
    }

    /** As above, with the item count given as a Java expression (e.g. {@code team.size()}). */
    void loopMethod(Node n, String name, String count, boolean parallel, CodeBlock body) {
        type.addMethod(MethodSpec.methodBuilder(name)
                .addJavadoc("$L\n", describe(n).replace("$", "$$"))
                .addModifiers(Modifier.PRIVATE)
                .addParameter(int.class, "from")
                .addParameter(int.class, "to")
                .addParameter(int.class, "worker")
                .addCode(body)
                .build());
        run.add("// $L\n", describe(n).replace("$", "$$"));
        if (parallel) {
            String task = name + "Task";
            type.addField(FieldSpec.builder(team.nestedClass("Task"), task, Modifier.PRIVATE, Modifier.FINAL)
                    .initializer("new Part($L)", parts.size()).build());
            parts.add(name);
            run.addStatement("team.run($L, $L)", task, count);
        } else {
            run.addStatement("$L(0, $L, 0)", name, count);
        }
    }

    /**
     * Adds the class {@code Part}: the team's task for each parallel loop, by number. One class with a switch
     * rather than a method reference per loop, because a fresh JVM spins up a class for every method reference,
     * which would cost each first load of a cached graph milliseconds.
     */
    void addParts() {
        if (parts.isEmpty()) {
            return;
        }
        CodeBlock.Builder dispatch = CodeBlock.builder().beginControlFlow("switch (loop)");
        for (int i = 0; i < parts.size(); i++) {
            dispatch.addStatement("case $L -> $L(from, to, worker)", i, parts.get(i));
        }
        dispatch.addStatement("default -> throw new $T(loop)", AssertionError.class).endControlFlow();
        type.addType(TypeSpec.classBuilder("Part").addModifiers(Modifier.PRIVATE, Modifier.FINAL)
                .addSuperinterface(team.nestedClass("Task"))
                .addJavadoc("A loop of {@code run()} that the team splits, by its number.\n")
                .addField(int.class, "loop", Modifier.PRIVATE, Modifier.FINAL)
                .addMethod(MethodSpec.constructorBuilder().addParameter(int.class, "loop")
                        .addStatement("this.loop = loop").build())
                .addMethod(MethodSpec.methodBuilder("run").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                        .addParameter(int.class, "from").addParameter(int.class, "to").addParameter(int.class, "worker")
                        .addCode(dispatch.build()).build())
                .build());
    }

    /** A float literal that Java parses back to the same value. */
    static String floatLiteral(double v) {
        float f = (float) v;
        if (Float.isNaN(f)) {
            return "Float.NaN";
        }
        if (Float.isInfinite(f)) {
            return f > 0 ? "Float.POSITIVE_INFINITY" : "Float.NEGATIVE_INFINITY";
        }
        return Float.toString(f) + "f";
    }

    static String intArray(int[] values) {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < values.length; i++) {
            b.append(i == 0 ? "" : ", ").append(values[i]);
        }
        return b.append('}').toString();
    }

    /** A constant int[] field, for precomputed loop ranges. */
    String constantArray(String name, int[] values) {
        type.addField(FieldSpec.builder(TypeName.get(int[].class), name, Modifier.PRIVATE, Modifier.STATIC,
                Modifier.FINAL).initializer("$L", intArray(values)).build());
        return name;
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
