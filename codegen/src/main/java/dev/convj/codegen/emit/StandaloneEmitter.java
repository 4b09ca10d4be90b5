package dev.convj.codegen.emit;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import dev.convj.codegen.CodegenVersion;
import dev.convj.codegen.GeneratedSource;
import dev.convj.codegen.Schedule;
import dev.convj.codegen.plan.CodegenPasses;
import dev.convj.graph.Graph;
import dev.convj.graph.Node;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import javax.lang.model.element.Modifier;

/**
 * Writes a trained network as one Java source file that needs nothing but the JDK: the generated graph code, the
 * weights (gzip, Base64, in string constants), the GEMM and thread-team kernels as nested classes, and a small
 * API, {@code float[] predict(float[] image)}, a batch variant and {@code int classify(float[] image)}.
 * The portable form compiles with plain {@code javac}; the Vector API form needs
 * {@code --add-modules jdk.incubator.vector} at javac and java, and says so in its header.
 */
public final class StandaloneEmitter {
    private StandaloneEmitter() {}

    private static final int CHUNK = 60_000; // a string constant holds at most 65,535 bytes

    /** Names the grammar refuses although they look like identifiers (Java 17: JLS 3.8 and 3.9). */
    private static final java.util.Set<String> RESTRICTED = java.util.Set.of("var", "yield", "record", "sealed",
            "permits");

    /** Keywords, literals, restricted identifiers and the JDK's own {@code java.} packages cannot name the class. */
    static void checkReservedNames(String qualifiedName) {
        for (String part : qualifiedName.split("\\.")) {
            if (javax.lang.model.SourceVersion.isKeyword(part, javax.lang.model.SourceVersion.RELEASE_17)) {
                throw new IllegalArgumentException("'" + qualifiedName + "': '" + part + "' is a Java keyword and cannot "
                        + "be part of a class name");
            }
            if (RESTRICTED.contains(part)) {
                throw new IllegalArgumentException("'" + qualifiedName + "': '" + part + "' is a restricted identifier "
                        + "in Java and cannot be part of a class name");
            }
        }
        if (qualifiedName.startsWith("java.")) {
            // The JVM refuses to define classes in java.* outside the JDK (SecurityException: Prohibited package name).
            throw new IllegalArgumentException("'" + qualifiedName + "': the java package and those under it belong "
                    + "to the JDK; choose your own, such as com.acme.FashionNet");
        }
    }

    /**
     * @param userGraph     the forward graph for one image (batch 1)
     * @param input         the image input node
     * @param output        the node {@code predict} returns (logits)
     * @param weights       a value for every parameter of the graph
     * @param qualifiedName e.g. {@code com.acme.FashionNet}
     * @param vectorApi     whether to carry the Vector API micro-kernel
     */
    public static GeneratedSource generate(Graph userGraph, String input, String output, Map<String, float[]> weights,
                                           String qualifiedName, boolean vectorApi) {
        Graph graph = CodegenPasses.apply(userGraph);
        if (!qualifiedName.matches("([A-Za-z_$][A-Za-z0-9_$]*\\.)*[A-Za-z_$][A-Za-z0-9_$]*")) {
            throw new IllegalArgumentException("'" + qualifiedName + "' is not a Java class name such as com.acme.FashionNet");
        }
        checkReservedNames(qualifiedName);
        Node in = graph.node(input), out = graph.node(output);
        if (in.shape().dim(0) != 1) {
            throw new IllegalArgumentException("export the graph for batch 1; " + input + " is " + in.typeString());
        }
        int dot = qualifiedName.lastIndexOf('.');
        String pkg = dot < 0 ? "" : qualifiedName.substring(0, dot);
        String simple = qualifiedName.substring(dot + 1);
        ClassName self = ClassName.get(pkg, simple);
        TypeSpec.Builder type = TypeSpec.classBuilder(simple).addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                .addSuperinterface(AutoCloseable.class);
        ClassEmitter.Body body = ClassEmitter.body(graph, Schedule.threads(1), type, self, true);
        for (MethodSpec m : body.interfaceMethods()) {
            type.addMethod(m.name().equals("close") ? m.toBuilder().addAnnotation(Override.class).build() : m);
        }
        addWeights(type, graph, weights, body.ctx());
        addApi(type, graph, in, out);
        String flags = vectorApi ? "javac --add-modules jdk.incubator.vector " + simple + ".java, and run java with"
                + " --add-modules jdk.incubator.vector (on JDK 24 and newer also --sun-misc-unsafe-memory-access=allow,"
                + " for unchecked reads of the packed weights at about twice the speed)"
                : "plain javac " + simple + ".java; no flags, no classpath";
        type.addJavadoc("A trained network exported by ConvJ codegen v$L from graph $L: $L → $L.\n"
                        + "Depends on nothing but the JDK (17 or newer). Compile with $L.\n"
                        + "Usage: {@code try (var net = new $L()) { float[] logits = net.predict(image); }}\n"
                        + "Generated code: do not edit; export the model again instead.\n",
                CodegenVersion.VERSION, graph.structuralHash(), in.typeString(), out.typeString(), flags, simple);
        JavaFile file = JavaFile.builder(pkg, type.build()).skipJavaLangImports(true).indent("    ").build();
        return new GeneratedSource(qualifiedName, withKernels(file.toString(), vectorApi));
    }

    private static void addWeights(TypeSpec.Builder type, Graph graph, Map<String, float[]> weights,
                                   EmitContext ctx) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<String> order = new ArrayList<>();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            for (Node p : graph.parameters()) {
                float[] w = weights.get(p.name());
                if (w == null || w.length != p.shape().size()) {
                    throw new IllegalArgumentException("no weights of " + p.typeString() + " for parameter " + p.name()
                            + (w == null ? "" : " (got " + w.length + " values)"));
                }
                ByteBuffer buf = ByteBuffer.allocate(4 * w.length).order(ByteOrder.LITTLE_ENDIAN);
                buf.asFloatBuffer().put(w);
                gz.write(buf.array());
                order.add(ctx.buf(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String base64 = Base64.getEncoder().encodeToString(bytes.toByteArray());
        CodeBlock.Builder chunks = CodeBlock.builder().add("{\n").indent();
        for (int i = 0; i < base64.length(); i += CHUNK) {
            chunks.add("$S,\n", base64.substring(i, Math.min(base64.length(), i + CHUNK)));
        }
        chunks.unindent().add("}");
        type.addField(FieldSpec.builder(String[].class, "WEIGHTS", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("The parameters in graph order, gzip-compressed little-endian float32, in Base64.\n")
                .initializer(chunks.build()).build());
        type.addInitializerBlock(CodeBlock.builder()
                .add("// Unpack the trained weights into the parameter buffers.\n")
                .beginControlFlow("try ($T in = new $T(new $T(new $T($T.getDecoder().decode(String.join(\"\", WEIGHTS)))))"
                                + ")", java.io.DataInputStream.class, java.io.DataInputStream.class,
                        ClassName.get("java.util.zip", "GZIPInputStream"), java.io.ByteArrayInputStream.class, Base64.class)
                .addStatement("$T wrap = $T.allocate(4).order($T.LITTLE_ENDIAN)", ByteBuffer.class, ByteBuffer.class,
                        ByteOrder.class)
                .beginControlFlow("for (float[] w : new float[][] {$L})", String.join(", ", order))
                .beginControlFlow("for (int i = 0; i < w.length; i++)")
                .addStatement("in.readFully(wrap.array())")
                .addStatement("w[i] = wrap.getFloat(0)")
                .endControlFlow()
                .endControlFlow()
                .nextControlFlow("catch ($T e)", IOException.class)
                .addStatement("throw new $T(\"the weights embedded in this class are damaged\", e)",
                        IllegalStateException.class)
                .endControlFlow()
                .build());
    }

    private static void addApi(TypeSpec.Builder type, Graph graph, Node in, Node out) {
        int size = in.shape().size();
        type.addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PUBLIC)
                .addJavadoc("The network on the calling thread alone.\n").addStatement("this(1)").build());
        type.addMethod(MethodSpec.methodBuilder("predict").addModifiers(Modifier.PUBLIC, Modifier.SYNCHRONIZED)
                .addJavadoc("The network's output $L for one image $L, row-major.\n", out.typeString(), in.typeString())
                .returns(float[].class).addParameter(float[].class, "image")
                .beginControlFlow("if (image.length != $L)", size)
                .addStatement("throw new $T($S + image.length + $S)", IllegalArgumentException.class,
                        "an image has " + size + " values (" + in.shape() + "), got ", "")
                .endControlFlow()
                .addStatement("System.arraycopy(image, 0, floats($L), 0, $L)", in.id(), size)
                .addStatement("run()")
                .addStatement("return floats($L).clone()", out.id())
                .build());
        type.addMethod(MethodSpec.methodBuilder("predict").addModifiers(Modifier.PUBLIC)
                .addJavadoc("{@link #predict(float[])} for each image.\n")
                .returns(ArrayTypeName.of(float[].class)).addParameter(ArrayTypeName.of(float[].class), "images")
                .addStatement("float[][] out = new float[images.length][]")
                .beginControlFlow("for (int i = 0; i < images.length; i++)")
                .addStatement("out[i] = predict(images[i])")
                .endControlFlow()
                .addStatement("return out")
                .build());
        type.addMethod(MethodSpec.methodBuilder("classify").addModifiers(Modifier.PUBLIC)
                .addJavadoc("The index of the largest output for one image: the predicted class.\n")
                .returns(int.class).addParameter(float[].class, "image")
                .addStatement("float[] y = predict(image)")
                .addStatement("int best = 0")
                .beginControlFlow("for (int i = 1; i < y.length; i++)")
                .beginControlFlow("if (y[i] > y[best])")
                .addStatement("best = i")
                .endControlFlow()
                .endControlFlow()
                .addStatement("return best")
                .build());
    }

    /** The kernel sources, nested: package and imports removed, classes made static, imports merged. */
    private static String withKernels(String source, boolean vectorApi) {
        List<String> files = new ArrayList<>(List.of("Gemm", "MicroKernel", "ScalarKernel", "Team"));
        if (vectorApi) {
            files.addAll(List.of("VectorSupport", "KernelChoice", "KernelChoiceCache", "CacheDirectory", "KernelTrial", "PackedPanel",
                    "Vector512Kernel", "Vector256Kernel", "Vector128Kernel", "MaxPool2x2", "Vector512Pool",
                    "Vector256Pool", "Vector128Pool"));
        }
        Set<String> imports = new LinkedHashSet<>();
        StringBuilder nested = new StringBuilder();
        for (String f : files) {
            String text = resource("/dev/convj/codegen/kernels/" + f + ".java");
            for (String line : text.split("\n", -1)) {
                String t = line.strip();
                if (t.startsWith("package ")) {
                    continue;
                }
                if (t.startsWith("import ")) {
                    imports.add(t);
                    continue;
                }
                if (!vectorApi && t.endsWith("// portable-drop")) {
                    continue;
                }
                int marker = line.indexOf("// portable: ");
                if (!vectorApi && marker >= 0) {
                    String indent = line.substring(0, line.length() - line.stripLeading().length());
                    line = indent + line.substring(marker + "// portable: ".length()).strip();
                }
                line = line.replaceFirst("^(public )?final class ", "static final class ");
                nested.append(line.isEmpty() ? "" : "    " + line).append('\n');
            }
        }
        int end = source.lastIndexOf('}');
        String body = source.substring(0, end) + "\n    // ---- Kernels (from ConvJ's codegen module) ----\n"
                + nested.toString().stripTrailing() + "\n}\n";
        int pkgEnd = body.startsWith("package ") ? body.indexOf('\n') + 1 : 0;
        StringBuilder importBlock = new StringBuilder();
        for (String i : imports) {
            if (!body.contains(i)) {
                importBlock.append(i).append('\n');
            }
        }
        return body.substring(0, pkgEnd) + (pkgEnd > 0 ? "\n" : "") + importBlock + body.substring(pkgEnd);
    }

    private static String resource(String path) {
        try (InputStream in = StandaloneEmitter.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("the kernel source " + path + " is missing from the codegen jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
