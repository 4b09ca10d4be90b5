package dev.convj.runtime.compile;

import dev.convj.codegen.GeneratedGraph;
import dev.convj.codegen.GeneratedSource;
import dev.convj.codegen.Schedule;
import dev.convj.codegen.emit.ClassEmitter;
import dev.convj.codegen.kernels.KernelChoice;
import dev.convj.codegen.plan.CodegenPasses;
import dev.convj.codegen.plan.ConvPlan;
import dev.convj.graph.Murmur3;
import java.nio.charset.StandardCharsets;
import dev.convj.graph.Graph;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Turns graphs into running code: generates Java source with the code generator, compiles it in memory with
 * javac, and loads it with a class loader of its own. Compiled classes are cached by the graph's structural hash
 * plus the code generator's version, in memory and, when a directory is given, on disk (source beside class
 * bytes, checksummed) so that a second process skips javac. The shaded jar or the codegen classes are hashed into
 * the key, so classes written by another build of the generator are never reused.
 */
public final class GraphCompiler {

    /** How often each cache level answered. */
    public record Stats(int memoryHits, int diskHits, int compilations) {}

    private static volatile GraphCompiler standard;

    private final DiskCache disk;
    private final Map<String, Class<? extends GeneratedGraph>> loaded = new ConcurrentHashMap<>();
    private final AtomicInteger memoryHits = new AtomicInteger();
    private final AtomicInteger diskHits = new AtomicInteger();
    private final AtomicInteger compilations = new AtomicInteger();
    private InMemoryJavac javac;

    /** A compiler caching in memory and, unless {@code cacheDirectory} is null, in that directory. */
    public GraphCompiler(Path cacheDirectory) {
        this.disk = cacheDirectory == null ? null : new DiskCache(cacheDirectory);
    }

    /**
     * The process-wide compiler, caching on disk in {@code -Dconvj.cache=DIR}, else {@code $XDG_CACHE_HOME/convj},
     * else {@code ~/.cache/convj}; {@code -Dconvj.cache=none} keeps the cache in memory only. The directory is
     * bounded: see {@link CacheEviction}.
     */
    public static GraphCompiler standard() {
        if (standard == null) {
            synchronized (GraphCompiler.class) {
                if (standard == null) {
                    standard = new GraphCompiler(DiskCache.defaultDirectory());
                }
            }
        }
        return standard;
    }

    /**
     * The cache key: the graph's structural hash, the code generator's version and build fingerprint, the
     * micro-kernel's width (the generated code's panel sizes follow it), whether the weight gradient's vector
     * transforms are used ({@code WinogradF2.channelLanes}), what the schedule forces and the Winograd
     * choices of the plan.
     */
    public static String key(Graph graph, Schedule schedule) {
        String forced = schedule.sourceKey();
        // the algorithms chosen: the cost model weighs Winograd by the kernel speed this JVM measured
        String algorithms = plan(graph, schedule).algorithmKey();
        return graph.structuralHash() + "_" + CodegenFingerprint.value() + "_k" + KernelChoice.vectorBits()
                + (dev.convj.codegen.kernels.WinogradF2.channelLanes() > 0 ? "" : "c")
                + (forced.isEmpty() ? "" : "_s" + Murmur3.hex128(forced.getBytes(StandardCharsets.UTF_8))
                .substring(0, 8))
                + (algorithms.isEmpty() ? "" : "_a" + Murmur3.hex128(algorithms.getBytes(StandardCharsets.UTF_8))
                .substring(0, 8));
    }

    public static String key(Graph graph) {
        return key(graph, Schedule.defaults());
    }

    /** The Java source generated for {@code graph}. */
    public GeneratedSource generate(Graph graph) {
        return generate(graph, Schedule.defaults());
    }

    public GeneratedSource generate(Graph graph, Schedule schedule) {
        return ClassEmitter.generate(graph, key(graph, schedule), schedule);
    }

    /**
     * How each convolution-family node of {@code graph} runs under {@code schedule}: algorithm, tile, threads and
     * estimated work, one line per node.
     */
    public static ConvPlan plan(Graph graph, Schedule schedule) {
        return ConvPlan.of(CodegenPasses.apply(graph), schedule);
    }

    /** Compiles {@code graph} (or finds it in a cache) and instantiates it for {@code threads} threads. */
    public CompiledGraph compile(Graph graph, int threads) {
        return compile(graph, Schedule.threads(threads));
    }

    /**
     * Compiles {@code graph} under {@code schedule} (its algorithms forced per node, for experiments and tests) and
     * instantiates it for the schedule's threads.
     */
    public CompiledGraph compile(Graph graph, Schedule schedule) {
        int threads = schedule.threads();
        Class<? extends GeneratedGraph> type = load(graph, schedule);
        try {
            GeneratedGraph instance = type.getConstructor(int.class).newInstance(threads);
            return new CompiledGraph(graph, instance, threads);
        } catch (InvocationTargetException e) {
            throw new GeneratedCodeException("generated class " + type.getName() + " failed to start: "
                    + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new GeneratedCodeException("generated class " + type.getName() + " cannot be instantiated", e);
        }
    }

    public CompiledGraph compile(Graph graph) {
        return compile(graph, Schedule.defaults().threads());
    }

    /** The compiled class for {@code graph}: from memory, from disk, or compiled now. */
    public Class<? extends GeneratedGraph> load(Graph graph) {
        return load(graph, Schedule.defaults());
    }

    private Class<? extends GeneratedGraph> load(Graph graph, Schedule schedule) {
        String key = key(graph, schedule);
        Class<? extends GeneratedGraph> cached = loaded.get(key);
        if (cached != null) {
            memoryHits.incrementAndGet();
            return cached;
        }
        synchronized (this) {
            cached = loaded.get(key);
            if (cached != null) {
                memoryHits.incrementAndGet();
                return cached;
            }
            String className = ClassEmitter.PACKAGE + ".Graph_" + key;
            Map<String, byte[]> classes = disk == null ? null : disk.read(key);
            if (classes != null) {
                diskHits.incrementAndGet();
            } else {
                GeneratedSource source = generate(graph, schedule);
                if (javac == null) {
                    javac = new InMemoryJavac();
                }
                classes = javac.compile(source);
                compilations.incrementAndGet();
                if (disk != null) {
                    // Whatever the store's outcome, the classes just compiled are right for this key.
                    disk.write(key, source, classes);
                }
            }
            Class<? extends GeneratedGraph> type = define(className, classes);
            loaded.put(key, type);
            return type;
        }
    }

    private static Class<? extends GeneratedGraph> define(String className, Map<String, byte[]> classes) {
        GeneratedClassLoader loader = new GeneratedClassLoader(GeneratedGraph.class.getClassLoader(), classes);
        try {
            return loader.loadClass(className).asSubclass(GeneratedGraph.class);
        } catch (ClassNotFoundException | ClassCastException e) {
            throw new GeneratedCodeException("compiled code does not hold " + className, e);
        }
    }

    public Stats stats() {
        return new Stats(memoryHits.get(), diskHits.get(), compilations.get());
    }

    /** Forgets the classes loaded in this process (the disk cache stays). */
    public void clearMemoryCache() {
        loaded.clear();
    }

    /** Defines the classes of one compiled graph. */
    private static final class GeneratedClassLoader extends ClassLoader {
        private final Map<String, byte[]> classes;

        GeneratedClassLoader(ClassLoader parent, Map<String, byte[]> classes) {
            super(parent);
            this.classes = classes;
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            byte[] bytes = classes.get(name);
            if (bytes == null) {
                throw new ClassNotFoundException(name);
            }
            return defineClass(name, bytes, 0, bytes.length);
        }
    }
}
