package dev.convj.codegen.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The shape the vector kernels must keep for JDK 17's C2 to compile them without heap-allocated vectors. A Vector
 * API call is a deep tree of small methods that C2 must inline whole; when a caller's inlining budget runs out part
 * of the way through one (NodeCountInliningCutoff), that vector becomes an object on the heap. This happened
 * whenever a kernel was inlined into a larger caller: four row kernels into one Winograd transform, a pooling chunk
 * inlined twice, a straight-line transform into generated code (the failures are in docs/performance.md). So every
 * method that computes with vectors is larger than C2's FreqInlineSize, which C2 then never inlines into a caller:
 * it compiles alone, with its own budget; and no method passes a vector to another.
 */
class KernelShapeTest {

    /** Classes with vector code; the 128- and 512-bit forms are generated from the 256-bit sources. */
    private static final List<String> CLASSES = List.of("Vector128Kernel", "Vector256Kernel", "Vector512Kernel",
            "Vector128Pool", "Vector256Pool", "Vector512Pool", "Vector256Winograd", "Vector512Winograd",
            "Vector256WinogradF4", "Vector512WinogradF4");

    /**
     * The small vector methods allowed, and why they are safe: {@code vectorBits} only reads the species' size;
     * {@code fmaChains} is the peak measurement, called alone by the kernel trial and the bench command;
     * {@code packShifted} (two loads and two stores a row) is called only from Gemm's implicit multiplies, whose
     * compiled code is usually too large to be inlined into generated code (System.arraycopy instead made the
     * 32- and 64-channel implicit GEMMs 7 % slower: 72.8 / 71.1 against 78.6 / 76.1 GFLOP/s).
     */
    private static final Set<String> SMALL = Set.of("vectorBits", "fmaChains", "packShifted");

    /** A method's header in javap -c -p output, and an instruction line: its offset and text. */
    private static final Pattern HEADER = Pattern.compile("^  (\\S.*) ([\\w$]+)\\((.*)\\)(?: throws .*)?;$");
    private static final Pattern INSTRUCTION = Pattern.compile("^\\s+(\\d+): (.*)$");

    record Method(String cls, String name, String header, int codeSize, boolean vectors) {}

    @Test
    void everyVectorMethodIsTooLargeToInlineAndTakesNoVectors() {
        int freqInlineSize = Integer.parseInt(ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                .getVMOption("FreqInlineSize").getValue());
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (String cls : CLASSES) {
            for (Method m : methods(cls)) {
                if (m.header().contains("jdk.incubator.vector")) {
                    problems.add(m.cls() + "." + m.name() + " takes or returns a vector: " + m.header());
                }
                if (!m.vectors() || m.name().startsWith("lambda$") || SMALL.contains(m.name())) {
                    continue;
                }
                checked++;
                if (m.codeSize() <= freqInlineSize) {
                    problems.add(m.cls() + "." + m.name() + " computes with vectors in " + m.codeSize()
                            + " bytes of bytecode, which C2 inlines (FreqInlineSize " + freqInlineSize
                            + "): give it its loop, so it does a row's work or more");
                }
            }
        }
        assertTrue(checked >= 8 * 2, "found only " + checked + " vector methods: is javap's output parsed?");
        assertEquals(List.of(), problems);
    }

    @Test
    void theParserReadsSizesAndVectorUse() {
        Map<String, Method> byName = new java.util.HashMap<>();
        for (Method m : methods("Vector256Kernel")) {
            byName.put(m.name(), m);
        }
        assertTrue(byName.get("tile").vectors() && byName.get("tile").codeSize() > 200, byName.toString());
        assertTrue(byName.get("vectorBits").codeSize() < 20, byName.toString());
        assertTrue(!byName.get("columns").vectors(), byName.toString());
    }

    /** The methods of a class of this package, read from its bytecode with javap. */
    static List<Method> methods(String simpleName) {
        Class<?> c;
        try {
            c = Class.forName(KernelShapeTest.class.getPackageName() + "." + simpleName);
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
        String where = c.getProtectionDomain().getCodeSource().getLocation().getPath();
        StringWriter out = new StringWriter();
        int status = ToolProvider.findFirst("javap").orElseThrow()
                .run(new PrintWriter(out), new PrintWriter(out), "-c", "-p", "-cp", where, c.getName());
        assertEquals(0, status, out.toString());
        List<Method> methods = new ArrayList<>();
        String name = null, header = null;
        int last = -1;
        boolean vectors = false;
        for (String line : (out + "\n  end();").split("\n")) {
            Matcher h = HEADER.matcher(line);
            if (h.matches() || line.startsWith("  static {}")) {
                if (name != null) {
                    methods.add(new Method(simpleName, name, header, last + 1, vectors));
                }
                name = h.matches() ? h.group(2) : "<clinit>";
                header = line.trim();
                last = -1;
                vectors = false;
                continue;
            }
            Matcher i = INSTRUCTION.matcher(line);
            if (i.matches() && name != null) {
                last = Integer.parseInt(i.group(1));
                vectors |= i.group(2).startsWith("invoke") && i.group(2).contains("jdk/incubator/vector");
            }
        }
        return methods;
    }
}
