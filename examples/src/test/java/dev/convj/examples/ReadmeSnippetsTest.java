package dev.convj.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.dsl.Network;
import dev.convj.examples.data.FashionData;
import dev.convj.graph.Graph;
import dev.convj.runtime.train.Trainer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Every Java block of README.md compiles as pasted (each is a whole program, imports included) and runs: the tour
 * prints the summary, the gradient graph and a passing gradient check, the library program trains; the pom.xml the
 * README gives a user's project is well-formed and names this build's artifacts and version.
 */
class ReadmeSnippetsTest {
    private static final Path README = Path.of("..", "README.md");

    private static List<String> blocks(String language) throws Exception {
        String text = Files.readString(README, StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("```" + language + "\n(.*?)```", Pattern.DOTALL).matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void everyJavaBlockCompilesAndRuns(@TempDir Path dir) throws Exception {
        List<String> java = blocks("java");
        assertTrue(java.size() >= 2, "the tour and the library program");
        List<String> files = new ArrayList<>();
        Pattern className = Pattern.compile("public class (\\w+)");
        for (String block : java) {
            Matcher m = className.matcher(block);
            assertTrue(m.find(), "each Java block of the README is a whole program:\n" + block);
            Path src = dir.resolve(m.group(1) + ".java");
            Files.writeString(src, block);
            files.add(src.toString());
        }
        Set<String> classpath = new LinkedHashSet<>();
        for (Class<?> c : List.of(Network.class, Trainer.class, Graph.class)) {
            classpath.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        }
        classpath.addAll(List.of(System.getProperty("java.class.path").split(File.pathSeparator)));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of("-classpath", String.join(File.pathSeparator, classpath), "-d",
                dir.toString()));
        args.addAll(files);
        assertEquals(0, javac.run(null, null, diagnostics, args.toArray(new String[0])), diagnostics.toString());

        String tour = run(dir, "Tour");
        assertTrue(tour.contains("61,706"), tour);
        assertTrue(tour.contains("∇"), "gradient nodes in the text dump");
        assertTrue(tour.contains("conv1.weight") && !tour.contains("FAIL"), tour);

        // the library program trains one epoch on 256 images of the embedded data
        String data = Path.of(FashionData.class.getResource(FashionData.EMBEDDED).toURI()).toString();
        String library = run(dir, "FashionNet", data, "256");
        assertTrue(library.contains("epoch 1/1"), library);
        assertTrue(library.contains("Fashion-MNIST test: 1000 images, loss "), library);
        assertTrue(library.contains("overall accuracy"), library);
    }

    /** What the compiled program's main prints. */
    private String run(Path classes, String program, String... args) throws Exception {
        PrintStream saved = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
                getClass().getClassLoader())) {
            Method main = loader.loadClass(program).getMethod("main", String[].class);
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            main.invoke(null, (Object) args);
        } finally {
            System.setOut(saved);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theUsersPomNamesThisBuildsArtifactsAndVersion() throws Exception {
        List<String> xml = blocks("xml");
        assertEquals(1, xml.size(), "one pom.xml in the README");
        Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.get(0).getBytes(StandardCharsets.UTF_8)));
        Document ours = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("..", "pom.xml")
                .toFile());
        String version = ((Element) ours.getDocumentElement().getElementsByTagName("version").item(0))
                .getTextContent();
        assertEquals("project", pom.getDocumentElement().getTagName());
        assertEquals("17", pom.getElementsByTagName("maven.compiler.release").item(0).getTextContent());
        NodeList deps = pom.getElementsByTagName("dependency");
        List<String> artifacts = new ArrayList<>();
        for (int i = 0; i < deps.getLength(); i++) {
            Element d = (Element) deps.item(i);
            assertEquals("dev.convj", d.getElementsByTagName("groupId").item(0).getTextContent());
            assertEquals(version, d.getElementsByTagName("version").item(0).getTextContent());
            artifacts.add(d.getElementsByTagName("artifactId").item(0).getTextContent());
            assertTrue(Files.isDirectory(Path.of("..", artifacts.get(i).replace("convj-", ""))),
                    artifacts.get(i) + " is a module of this build");
        }
        assertEquals(List.of("convj-dsl", "convj-runtime"), artifacts);
    }
}
