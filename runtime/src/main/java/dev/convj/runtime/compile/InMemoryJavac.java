package dev.convj.runtime.compile;

import dev.convj.codegen.GeneratedGraph;
import dev.convj.codegen.GeneratedSource;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;

/** Compiles generated source in memory with the JDK's javac; no files are read or written. */
final class InMemoryJavac {
    private final JavaCompiler javac;
    private final StandardJavaFileManager files;
    private final String classpath;

    InMemoryJavac() {
        this(classpath());
    }

    /** Compiling against {@code classpath} (tests give their own). */
    InMemoryJavac(String classpath) {
        this.javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("ConvJ compiles the code it generates at run time and needs a JDK, but "
                    + "this Java runtime (" + System.getProperty("java.home") + ") has no compiler; run with a JDK 17"
                    + " or newer (e.g. apt-get install openjdk-17-jdk-headless), or use the reference interpreter");
        }
        // Reusing one file manager keeps the JDK's own classes indexed: later compiles take tens of milliseconds.
        this.files = javac.getStandardFileManager(null, Locale.ROOT, null);
        // An empty source path, so javac never compiles a source file it finds on the class path instead of its
        // class: ConvJ's jars carry the kernels' sources (for standalone export), stamped as new as their classes.
        try {
            files.setLocation(StandardLocation.SOURCE_PATH, List.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.classpath = classpath;
    }

    /** The class files of {@code source}, by binary name. */
    synchronized Map<String, byte[]> compile(GeneratedSource source) {
        Map<String, ByteArrayOutputStream> out = new LinkedHashMap<>();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        var manager = new ForwardingJavaFileManager<>(files) {
            @Override
            public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind,
                                                       FileObject sibling) {
                return new SimpleJavaFileObject(URI.create("mem:///" + className.replace('.', '/') + kind.extension),
                        kind) {
                    @Override
                    public OutputStream openOutputStream() {
                        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                        out.put(className, bytes);
                        return bytes;
                    }
                };
            }
        };
        JavaFileObject file = new SimpleJavaFileObject(
                URI.create("string:///" + source.qualifiedName().replace('.', '/') + ".java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return source.source();
            }
        };
        List<String> options = new ArrayList<>(List.of("-classpath", classpath, "-proc:none", "-nowarn",
                "-Xlint:none"));
        if (Runtime.version().feature() != 17) {
            // Class files any JDK from 17 on can load from the shared disk cache. On 17 itself that is javac's
            // default, and asking for it would cost a cold compile ~150 ms of reading the platform's API signatures.
            options.addAll(List.of("--release", "17"));
        }
        boolean ok = javac.getTask(null, manager, diagnostics, options, null, List.of(file)).call();
        if (!ok) {
            throw new GeneratedCodeException(describe(source, diagnostics.getDiagnostics()));
        }
        Map<String, byte[]> classes = new LinkedHashMap<>();
        out.forEach((name, bytes) -> classes.put(name, bytes.toByteArray()));
        return classes;
    }

    /** Each error with its line of source and the graph node whose method holds it. */
    private static String describe(GeneratedSource source, List<Diagnostic<? extends JavaFileObject>> diagnostics) {
        String[] lines = source.source().split("\n", -1);
        StringBuilder b = new StringBuilder("javac rejected the code generated for " + source.simpleName() + ":");
        for (Diagnostic<? extends JavaFileObject> d : diagnostics) {
            if (d.getKind() != Diagnostic.Kind.ERROR) {
                continue;
            }
            int line = (int) d.getLineNumber();
            JavaFileObject where = d.getSource();
            if (where != null && !"string".equals(where.toUri().getScheme())) {
                // an error in another file javac read: name it rather than quote the generated line of that number
                b.append("\n  ").append(where.toUri()).append(" line ").append(line).append(": ")
                        .append(d.getMessage(Locale.ROOT));
                continue;
            }
            b.append("\n  line ").append(line).append(": ").append(d.getMessage(Locale.ROOT));
            if (line >= 1 && line <= lines.length) {
                b.append("\n    > ").append(lines[line - 1].strip());
                String node = enclosingNode(lines, line - 1);
                if (node != null) {
                    b.append("\n    in the code for node: ").append(node);
                }
            }
        }
        return b.toString();
    }

    /** The node described by the nearest Javadoc line above {@code line}: its text-dump line. */
    private static String enclosingNode(String[] lines, int line) {
        for (int i = line; i >= 0; i--) {
            String l = lines[i].strip();
            if (l.startsWith("* ") && l.contains(" = ")) {
                return l.substring(2);
            }
            if (l.startsWith("// ") && l.contains(": ") && l.contains(" = ")) {
                return l.substring(3);
            }
        }
        return null;
    }

    /**
     * The class path generated code compiles against: the code-source locations of ConvJ's own classes (which
     * survive launchers that hide them from java.class.path) followed by java.class.path.
     */
    static String classpath() {
        Set<String> entries = new LinkedHashSet<>();
        for (Class<?> c : new Class<?>[] {GeneratedGraph.class, dev.convj.codegen.kernels.Gemm.class}) {
            CodeSource cs = c.getProtectionDomain().getCodeSource();
            if (cs != null && cs.getLocation() != null) {
                try {
                    entries.add(Path.of(cs.getLocation().toURI()).toString());
                } catch (URISyntaxException | IllegalArgumentException e) {
                    // Not a file location (e.g. a custom loader): java.class.path below has to do.
                }
            }
        }
        for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!e.isBlank()) {
                entries.add(e);
            }
        }
        return String.join(File.pathSeparator, entries);
    }
}
